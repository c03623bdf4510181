"""``bot costs`` as a user runs it, after the bot answered with a priced model."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.cli import bot_env, run_bot

BUDGET = 0.01


@pytest.fixture(scope="module")
def spent(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path, dict]:
    """A database where the bot answered once with the priced function model, and one call
    to a model missing from the price table was logged; the env, folder and the answer."""
    folder = tmp_path_factory.mktemp("costs")
    env = bot_env(
        folder, AI_PROVIDER="function:tests.support.replies:priced", MONTHLY_BUDGET_USD=str(BUDGET)
    )
    answered = run_bot(["ask", "--json", "How much is the deposit?"], env, folder)
    assert answered.returncode == 0, answered.stderr
    with sqlite3.connect(folder / "bot.db") as db:  # logged as the providers log it: null cost
        db.execute(
            "INSERT INTO model_calls (created_at, provider, model, input_tokens, output_tokens,"
            " cached_input_tokens, cost_usd, latency_ms, outcome)"
            " VALUES (?, 'openai', 'gpt-9', 7, 3, 0, NULL, 1.0, 'ok')",
            (datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),),
        )
    return env, folder, json.loads(answered.stdout)


def test_costs_json_reports_what_the_bot_spent(spent):
    env, folder, answer = spent

    result = run_bot(["costs", "--json"], env, folder)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    month = report["month"]
    assert month["month"] == f"{datetime.now(UTC):%Y-%m}" and report["timezone"] == "UTC"
    assert (month["calls"], month["unknown_cost_calls"]) == (2, 1)
    assert month["cost_usd"] == pytest.approx(answer["cost_usd"])  # the unpriced call adds $0
    assert month["input_tokens"] == answer["input_tokens"] + 7
    assert month["budget_used_pct"] == pytest.approx(answer["cost_usd"] / BUDGET * 100)
    assert report["today"]["calls"] == 2
    assert [(m["name"], m["calls"], m["unknown_cost_calls"]) for m in report["by_model"]] == [
        ("function:priced", 1, 0),
        ("openai:gpt-9", 1, 1),
    ]
    assert {p["name"] for p in report["by_provider"]} == {"function", "openai"}
    assert [(a["name"], a["calls"]) for a in report["by_agent"]] == [
        ("lead_nurturing", 1),
        ("(none)", 1),
    ]


def test_costs_tables_show_the_month_and_count_unpriced_calls_apart(spent):
    env, folder, answer = spent

    result = run_bot(["costs"], env, folder)

    assert result.returncode == 0, result.stderr
    assert "function:priced" in result.stdout and "openai:gpt-9" in result.stdout
    assert f"${answer['cost_usd']:.6f}" in result.stdout
    assert "1 call of unknown cost" in result.stdout
    [unpriced] = [line for line in result.stdout.splitlines() if "openai:gpt-9" in line]
    assert "unknown" in unpriced and "$0" not in unpriced
    assert "% of $0.010000 used" in result.stdout


def test_costs_of_another_month(spent):
    env, folder, _ = spent

    past = run_bot(["costs", "--json", "--month", "2020-01"], env, folder)
    bad = run_bot(["costs", "--month", "2026-13"], env, folder)

    assert past.returncode == 0, past.stderr
    assert json.loads(past.stdout)["month"] | {"budget_used_pct": None} == {
        "month": "2020-01",
        "calls": 0,
        "cost_usd": 0.0,
        "unknown_cost_calls": 0,
        "input_tokens": 0,
        "output_tokens": 0,
        "cached_input_tokens": 0,
        "reasoning_tokens": 0,
        "sends": [],  # no SMS sent
        "total_cost_usd": 0.0,
        "budget_usd": BUDGET,
        "budget_used_pct": None,
        "hard_cap": False,
    }
    assert bad.returncode == 2 and "expected a month as YYYY-MM" in bad.stderr
