"""Prometheus metrics: the families, the one-line hooks, and the exposition.

Built on ``prometheus-client``. Several uvicorn workers on one host share
their counters through ``PROMETHEUS_MULTIPROC_DIR`` (`bot serve --workers N`
sets one up when it is unset); `bot worker` serves its own port
(WORKER_METRICS_PORT). Labels are bounded: channel, agent, provider, model,
outcome and a short reason: never a phone number, an id or free text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from channels.base import IncomingMessage

_PREFIX = "bot_"
#: From receipt to the reply sent: a grounded local answer takes seconds.
_LATENCY_BUCKETS = (0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120)

RECEIVED = Counter(f"{_PREFIX}messages_received", "Messages stored.", ["channel"])
ANSWERED = Counter(f"{_PREFIX}messages_answered", "Replies sent or delivered.", ["channel"])
REFUSED = Counter(
    f"{_PREFIX}messages_refused", "Messages not taken or not answered.", ["channel", "reason"]
)
LATENCY = Histogram(
    f"{_PREFIX}answer_latency_seconds",
    "From receipt to the reply sent.",
    ["channel", "agent"],
    buckets=_LATENCY_BUCKETS,
)
MODEL_CALLS = Counter(f"{_PREFIX}model_calls", "Calls to models.", ["provider", "model", "outcome"])
TOKENS = Counter(
    f"{_PREFIX}model_tokens", "Tokens of model calls.", ["provider", "model", "direction"]
)
COST = Counter(f"{_PREFIX}model_cost_usd", "What model calls cost (USD).", ["provider", "model"])
ROUTES = Counter(f"{_PREFIX}routes", "Messages routed, per agent.", ["agent"])
HANDOFFS_OPENED = Counter(f"{_PREFIX}handoffs_opened", "Conversations handed to a person.")
HANDOFFS_RESOLVED = Counter(f"{_PREFIX}handoffs_resolved", "Handoffs given back to the bot.")
VERIFICATION_REFUSED = Counter(
    f"{_PREFIX}webhook_verifications_refused",
    "Webhook requests refused by signature or secret checks.",
    ["channel"],
)
OPT_OUTS = Counter(f"{_PREFIX}opt_outs", "Opt-outs (STOP) stored.", ["channel"])
QUEUE_DEPTH = Gauge(
    f"{_PREFIX}job_queue_depth", "Jobs waiting to run.", multiprocess_mode="mostrecent"
)
QUEUE_RUNNING = Gauge(
    f"{_PREFIX}job_queue_running", "Jobs running.", multiprocess_mode="mostrecent"
)
QUEUE_OLDEST = Gauge(
    f"{_PREFIX}job_queue_oldest_age_seconds",
    "Age of the oldest waiting job (0 when none waits).",
    multiprocess_mode="mostrecent",
)

#: Every family this module exports (the dashboard and alert test reads it).
FAMILIES = tuple(
    m._name  # prometheus-client keeps the family name there
    for m in (
        RECEIVED, ANSWERED, REFUSED, LATENCY, MODEL_CALLS, TOKENS, COST, ROUTES,
        HANDOFFS_OPENED, HANDOFFS_RESOLVED, VERIFICATION_REFUSED, OPT_OUTS,
        QUEUE_DEPTH, QUEUE_RUNNING, QUEUE_OLDEST,
    )
)  # fmt: skip
#: Outcomes of a call as a dashboard reads them.
_FAILED = frozenset({"error", "timeout", "rate_limited", "unavailable", "interrupted"})
#: The hooks below count while true. For benches only (bench/overhead.py --metrics off
#: measures what counting costs a message); production never turns it off.
ENABLED = True


def set_enabled(on: bool) -> None:
    """Turn every hook into a no-op (``False``) or back; for benches, not production."""
    global ENABLED
    ENABLED = on


def received(channel: str) -> None:
    """A message was stored."""
    if not ENABLED:
        return
    RECEIVED.labels(channel).inc()


def refused(channel: str, reason: str) -> None:
    """A message was refused (``invalid``, ``limit``, ``opted_out``)."""
    if not ENABLED:
        return
    REFUSED.labels(channel, reason).inc()


def opted_out(channel: str) -> None:
    """A STOP was stored."""
    if not ENABLED:
        return
    OPT_OUTS.labels(channel).inc()


def routed(agent: str) -> None:
    """A message was routed to ``agent`` (or ``human``)."""
    if not ENABLED:
        return
    ROUTES.labels(agent).inc()


def answered(incoming: IncomingMessage, *, agent: str) -> None:
    """A reply left (or was handed to the HTTP caller): count it and its latency."""
    if not ENABLED:
        return
    ANSWERED.labels(incoming.channel).inc()
    seconds = (datetime.now(UTC) - incoming.received_at).total_seconds()
    LATENCY.labels(incoming.channel, agent).observe(max(0.0, seconds))


def handoff_opened() -> None:
    """A conversation was handed to a person."""
    if not ENABLED:
        return
    HANDOFFS_OPENED.inc()


def handoff_resolved() -> None:
    """A person gave a conversation back."""
    if not ENABLED:
        return
    HANDOFFS_RESOLVED.inc()


def verification_refused(channel: str) -> None:
    """A webhook request failed its signature or secret check."""
    if not ENABLED:
        return
    VERIFICATION_REFUSED.labels(channel).inc()


def model_calls(calls: Sequence[Any]) -> None:
    """Count one reply's `CallRecord` s: outcome ok, retried, fell_back or failed.

    A failed call followed by one to the same model was retried; by one to
    another model, fell back; a failed last call failed.
    """
    if not ENABLED:
        return
    for index, call in enumerate(calls):
        outcome = "ok"
        if call.outcome in _FAILED or call.error:
            after = calls[index + 1] if index + 1 < len(calls) else None
            if after is None:
                outcome = "failed"
            elif (after.provider, after.model) == (call.provider, call.model):
                outcome = "retried"
            else:
                outcome = "fell_back"
        MODEL_CALLS.labels(call.provider, call.model, outcome).inc()
        TOKENS.labels(call.provider, call.model, "input").inc(call.input_tokens or 0)
        TOKENS.labels(call.provider, call.model, "output").inc(call.output_tokens or 0)
        if call.cost_usd:
            COST.labels(call.provider, call.model).inc(call.cost_usd)


def queue(figures: dict[str, Any]) -> None:
    """Set the queue gauges from `Jobs.figures` (waiting, running, oldest age)."""
    if not ENABLED:
        return
    QUEUE_DEPTH.set(figures.get("waiting", 0) or 0)
    QUEUE_RUNNING.set(figures.get("running", 0) or 0)
    QUEUE_OLDEST.set(figures.get("oldest_waiting_s", 0) or 0)


def exposition() -> tuple[bytes, str]:
    """The text format of every family, merged across processes when multiprocess."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def names(text: str) -> Iterable[str]:
    """The family names in an exposition (for tests and the dashboard check)."""
    from prometheus_client.parser import text_string_to_metric_families

    return [family.name for family in text_string_to_metric_families(text)]
