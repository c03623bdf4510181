"""The benches' switch: with metrics off the hooks count nothing; back on, they count."""

from __future__ import annotations

from prometheus_client import REGISTRY

from bot.observability import metrics


def received_sms() -> float:
    return REGISTRY.get_sample_value("bot_messages_received_total", {"channel": "sms"}) or 0.0


def test_hooks_are_no_ops_while_metrics_are_off_and_count_again_after() -> None:
    before = received_sms()
    metrics.set_enabled(False)
    try:
        metrics.received("sms")
        metrics.routed("bench")
        assert received_sms() == before
    finally:
        metrics.set_enabled(True)
    metrics.received("sms")
    assert received_sms() == before + 1
