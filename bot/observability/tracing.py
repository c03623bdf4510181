"""OpenTelemetry traces: one trace per inbound message, from the webhook to the send.

Off by default. On when the standard variables say so (``OTEL_TRACES_EXPORTER``
other than ``none``, or ``OTEL_EXPORTER_OTLP_ENDPOINT`` /
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` set) and ``OTEL_SDK_DISABLED`` is not
true; `configure` runs once at the start of ``bot serve`` and ``bot worker``.
The SDK and the OTLP exporter are the optional extra ``otel``; without them,
or off, every hook here is a no-op.

A job carries only the message id, so the W3C ``traceparent`` of the deliver
span is stored with the message (``meta["trace"]``) and the worker's span
continues that trace, in whichever process runs the job.

Attributes hold ids, names of channels, agents and models, and counts: never
the text or an address, unless ``TRACE_CONTENT=true`` adds the text.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

_TRUE = {"1", "true", "yes", "on"}
#: Our provider names → the GenAI conventions' ``gen_ai.provider.name`` values.
_PROVIDER_NAMES = {"gemini": "gcp.gemini", "azure": "azure.ai.openai"}
_FAILED = {"rate_limited", "timeout", "error", "interrupted"}

_tracer: Any = None
_content = False


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the ``OTEL_*`` variables in ``environ`` ask for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() in _TRUE:
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def configure(
    *,
    environ: Mapping[str, str] = os.environ,
    exporter: Any = None,
    trace_content: bool | None = None,
) -> bool:
    """Turn tracing on if ``environ`` asks for it (or ``exporter`` is given); True if on.

    ``trace_content`` (the TRACE_CONTENT setting; read from ``environ`` when
    None) lets message and reply text into spans. ``exporter`` (a span
    exporter, e.g. the SDK's in-memory one in tests) replaces the one the
    variables name and is flushed on every span's end.
    """
    global _tracer, _content
    if exporter is None and _tracer is not None:
        return True  # configured once per process: a second call keeps the first
    if trace_content is None:
        trace_content = environ.get("TRACE_CONTENT", "").strip().lower() in _TRUE
    _content = trace_content
    if exporter is None and not wanted(environ):
        _tracer = None
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError as exc:
        raise RuntimeError(
            "OTEL_* asks for traces but opentelemetry-sdk is missing: "
            "pip install 'frontdesk-bot[otel]'"
        ) from exc
    name = environ.get("OTEL_SERVICE_NAME") or "frontdesk-bot"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(_exporter(environ)))
    _tracer = provider.get_tracer("bot")
    return True


def _exporter(environ: Mapping[str, str]) -> Any:
    """The exporter ``OTEL_TRACES_EXPORTER`` names: ``otlp`` (HTTP, the default) or ``console``."""
    kind = environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if kind != "otlp":
        raise RuntimeError(f"OTEL_TRACES_EXPORTER={kind}: only otlp, console or none are supported")
    # The HTTP exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def shutdown() -> None:
    """Stop tracing in this process (tests turn it off again)."""
    global _tracer
    _tracer = None


def enabled() -> bool:
    """Whether spans are being recorded (the hooks cost nothing when not)."""
    return _tracer is not None


@contextmanager
def span(
    name: str,
    *,
    parent: Mapping[str, Any] | None = None,
    text: str | None = None,
    **attributes: Any,
) -> Iterator[Any]:
    """A span around the block, current inside it; ``parent`` a stored `carrier`.

    ``text`` (a message's) is kept only when TRACE_CONTENT=true allows it.
    Attributes whose value is None are left out. An exception leaving the
    block is recorded on the span and marks it as an error.
    """
    if _tracer is None:
        yield None
        return
    context = None
    if parent:
        from opentelemetry.propagate import extract

        context = extract(dict(parent))
    if _content and text is not None:
        attributes["text"] = text
    with _tracer.start_as_current_span(
        name, context=context, attributes=_clean(attributes)
    ) as current:
        yield current


def annotate(**attributes: Any) -> None:
    """Add ``attributes`` to the current span (learnt after it started)."""
    if _tracer is None:
        return
    from opentelemetry import trace

    trace.get_current_span().set_attributes(_clean(attributes))


def carrier() -> dict[str, Any]:
    """``{"trace": {"traceparent": ...}}`` to store with a message; empty when off."""
    if _tracer is None:
        return {}
    from opentelemetry.propagate import inject

    headers: dict[str, str] = {}
    inject(headers)
    return {"trace": headers} if headers else {}


def model_calls(calls: Sequence[Any], *, agent: str | None = None) -> None:
    """One GenAI ``chat`` span per `CallRecord`, as children of the current span.

    The providers (in ``agents``) know nothing of tracing, so the spans are
    written from the records once the answer is back: each lasts its call's
    ``latency_ms``, laid end to end so the last ends now.
    """
    if _tracer is None or not calls:
        return
    from opentelemetry.trace import SpanKind, Status, StatusCode

    end = time.time_ns()
    start = end - sum(int(c.latency_ms * 1e6) for c in calls)
    for call in calls:
        finish = start + int(call.latency_ms * 1e6)
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": _PROVIDER_NAMES.get(call.provider, call.provider),
            "gen_ai.request.model": call.model,
            "gen_ai.usage.input_tokens": call.input_tokens or 0,
            "gen_ai.usage.output_tokens": call.output_tokens or 0,
            "gen_ai.agent.name": agent,
            "bot.model_call.role": call.role,
            "bot.model_call.outcome": call.outcome,
            "bot.model_call.cost_usd": call.cost_usd,
        }
        failed = call.outcome in _FAILED or bool(call.error)
        if failed:
            attributes["error.type"] = call.outcome if call.outcome != "ok" else "error"
        one = _tracer.start_span(
            f"chat {call.model}",
            kind=SpanKind.CLIENT,
            attributes=_clean(attributes),
            start_time=start,
        )
        if failed:
            one.set_status(Status(StatusCode.ERROR))
        one.end(end_time=finish)
        start = finish


class TracedKnowledge:
    """The knowledge base with a ``retrieval`` span around each search; the rest passes through."""

    def __init__(self, knowledge: Any) -> None:
        self._knowledge = knowledge

    def __getattr__(self, name: str) -> Any:
        return getattr(self._knowledge, name)

    async def relevant(self, query: str, **kwargs: Any) -> Any:
        """`KnowledgeBase.relevant`, in a span holding how many chunks it found."""
        operation: dict[str, Any] = {"gen_ai.operation.name": "retrieval"}
        with span("retrieval", text=query, **operation):
            hits = await self._knowledge.relevant(query, **kwargs)
            annotate(**{"bot.retrieval.hits": len(hits or ())})
            return hits


def traced_knowledge(knowledge: Any) -> Any:
    """``knowledge`` wrapped in `TracedKnowledge` when tracing is on (and it exists)."""
    if _tracer is None or knowledge is None:
        return knowledge
    return TracedKnowledge(knowledge)


def _clean(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Without None values; a bare keyword (``channel``) becomes ``bot.channel``."""
    return {
        key if "." in key else f"bot.{key}": value
        for key, value in attributes.items()
        if value is not None
    }
