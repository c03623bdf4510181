"""A reply's model calls counted as ok, retried, fell back or failed."""

from __future__ import annotations

from agents.providers.base import CallRecord
from bot.observability import metrics


def count(provider: str, model: str, outcome: str) -> float:
    return metrics.MODEL_CALLS.labels(provider, model, outcome)._value.get()


def test_retry_then_fallback_then_failure_are_told_apart() -> None:
    before = {o: count("t", "a", o) for o in ("ok", "retried", "fell_back", "failed")}
    before_b = count("t", "b", "failed")
    metrics.model_calls(
        [
            CallRecord("t", "a", outcome="rate_limited"),
            CallRecord("t", "a", outcome="error", error="500"),
            CallRecord("t", "b", outcome="timeout"),
        ]
    )
    assert count("t", "a", "retried") - before["retried"] == 1
    assert count("t", "a", "fell_back") - before["fell_back"] == 1
    assert count("t", "b", "failed") - before_b == 1
    metrics.model_calls([CallRecord("t", "a", input_tokens=5, output_tokens=2, cost_usd=0.5)])
    assert count("t", "a", "ok") - before["ok"] == 1
