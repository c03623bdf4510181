"""The Grafana dashboard and the Prometheus alert rules query only metrics the bot exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from bot.observability import metrics

OPS = Path(__file__).resolve().parents[2] / "ops"
_NAME = re.compile(r"\bbot_[a-z_]+")
#: The series names prometheus-client writes for each family type.
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def _series_names() -> set[str]:
    """Every series name the bot's families produce (`bot_routes_total`, `..._bucket`...)."""
    by_name = {
        family._name: family._type
        for family in vars(metrics).values()
        if getattr(family, "_name", None) in metrics.FAMILIES
    }
    assert set(by_name) == set(metrics.FAMILIES)
    return {name + suffix for name, kind in by_name.items() for suffix in _SUFFIXES[kind]}


def _unknown(expressions: list[str]) -> set[str]:
    names = {name for expr in expressions for name in _NAME.findall(expr)}
    return names - _series_names()


def _dashboard_expressions(node: object) -> Iterator[str]:
    """Every query string in the dashboard: panel targets and template variables."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"expr", "definition", "query"} and isinstance(value, str):
                yield value
            else:
                yield from _dashboard_expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dashboard_expressions(item)


def _dashboard() -> dict:
    return json.loads((OPS / "grafana-dashboard.json").read_text())


def _alert_rules() -> list[dict]:
    groups = yaml.safe_load((OPS / "prometheus-alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_every_metric_the_dashboard_queries_exists() -> None:
    expressions = list(_dashboard_expressions(_dashboard()))
    assert len(expressions) >= 15
    assert not _unknown(expressions)


def test_every_metric_the_alert_rules_query_exists() -> None:
    rules = _alert_rules()
    assert all(rule["alert"] and rule["expr"] and rule["annotations"]["summary"] for rule in rules)
    assert not _unknown([rule["expr"] for rule in rules])


def test_a_misspelt_or_wrongly_suffixed_metric_is_caught() -> None:
    assert _unknown(["rate(bot_messages_recieved_total[5m])"]) == {"bot_messages_recieved_total"}
    # A counter has no _bucket; a histogram's series are never queried bare.
    assert _unknown(["bot_routes_bucket", "bot_answer_latency_seconds"]) == {
        "bot_routes_bucket",
        "bot_answer_latency_seconds",
    }


def test_the_dashboard_has_the_panels_an_operator_asked_for() -> None:
    panels = {panel["title"]: panel for panel in _dashboard()["panels"]}
    wanted = {
        "Messages received per minute": "bot_messages_received_total",
        "Answers per minute": "bot_messages_answered_total",
        "Answer latency p50 / p95": "bot_answer_latency_seconds_bucket",
        "Cost per day by model": "bot_model_cost_usd_total",
        "Handoffs": "bot_handoffs_opened_total",
        "Job queue": "bot_job_queue_depth",
    }
    for title, metric in wanted.items():
        panel = next(p for name, p in panels.items() if name.startswith(title))
        assert any(metric in target["expr"] for target in panel["targets"]), title
    latency = " ".join(
        t["expr"] for t in panels["Answer latency p50 / p95 (receipt to reply sent)"]["targets"]
    )
    assert "histogram_quantile(0.5," in latency and "histogram_quantile(0.95," in latency
    cost = " ".join(
        t["expr"] for t in next(p for n, p in panels.items() if n.startswith("Cost"))["targets"]
    )
    assert "$monthly_budget_usd" in cost  # drawn against the budget
    assert len({panel["id"] for panel in panels.values()}) == len(panels)


def test_the_alert_rules_cover_queue_age_failures_verification_and_budget() -> None:
    exprs = {rule["alert"]: rule["expr"] for rule in _alert_rules()}
    assert "bot_job_queue_oldest_age_seconds" in exprs["BotJobQueueStuck"]
    assert 'outcome="failed"' in exprs["BotAnswerFailures"]
    assert (
        "bot_webhook_verifications_refused_total" in exprs["BotWebhookVerificationRefusalsSpiking"]
    )
    assert "bot_model_cost_usd_total" in exprs["BotSpendNearMonthlyBudget"]
