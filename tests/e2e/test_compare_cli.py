"""``bot compare`` as a user runs it: a real subprocess on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import bot_env, run_bot
from tests.support.compare_models import model_id

#: Answer 2 arrives first, then 3, then 1.
MODELS = [model_id(name) for name in ("slow", "quick", "broken")]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return bot_env(
        tmp_path,
        AI_PROVIDER="function:echo",
        COMPARE_MODELS=",".join(MODELS),
        COMPARE_TIMEOUT_S="0.5",
    )


def query(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        return db.execute(sql).fetchall()


def test_json_prints_the_stored_result_and_a_partial_one_is_not_cached(env, tmp_path):
    first = run_bot(["compare", "--json", "What is 2+2?"], env, tmp_path)

    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["models"] == MODELS and result["cached"] is False
    slow, quick, broken = result["answers"]
    assert (slow["status"], quick["status"], broken["status"]) == ("ok", "ok", "failed")
    assert quick["text"] == "Quick answer: What is 2+2? Yes, it is 4."
    assert broken["error"] == "upstream answered 500 Internal Server Error"
    assert quick["cost_usd"] > 0 and quick["latency_ms"] > 0
    assert result["ranking"]["order"][0] in (1, 2)

    again = run_bot(["compare", "--json", "what is  2+2?"], env, tmp_path)

    # One model failed: the repeat asks again instead of replaying the failure for an hour.
    repeat = json.loads(again.stdout)
    assert (repeat["cached"], repeat["cached_from_id"]) == (False, None)
    # Three model calls each (the failures included).
    assert query(tmp_path, "SELECT outcome, count(*) FROM model_calls GROUP BY outcome") == [
        ("error", 2),
        ("ok", 4),
    ]
    # As in chat, "stats" shows the win rates rather than comparing the word.
    stats = run_bot(["compare", "stats"], env, tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert len(query(tmp_path, "SELECT id FROM compare_queries")) == 2


def test_without_a_terminal_each_answer_is_printed_as_it_arrives(env, tmp_path):
    result = run_bot(["compare", "What is 2+2?"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert headers[0].startswith(f"#3 {MODELS[2]} · failed: upstream answered 500")
    assert headers[1].startswith(f"#2 {MODELS[1]} · ")
    assert headers[2].startswith(f"#1 {MODELS[0]} · ")
    assert "tokens · $0.0000" in headers[1]
    assert "Ranking (heuristic score): #" in result.stdout


def test_bad_questions_are_usage_errors(env, tmp_path):
    empty = run_bot(["compare"], env, tmp_path)
    too_long = run_bot(["compare", "x" * 1001], env, tmp_path)

    assert empty.returncode == too_long.returncode == 2
    assert "the question is empty" in empty.stderr
    assert "1,001 characters" in too_long.stderr
    assert query(tmp_path, "SELECT count(*) FROM compare_queries") == [(0,)]


def test_commands_typed_in_bot_chat_run_as_on_any_channel(env, tmp_path):
    result = run_bot(
        ["chat", "--as", "console:me"],
        env,
        tmp_path,
        stdin="/help\n/compare What is 2+2?\n/quit\n",
    )

    assert result.returncode == 0, result.stderr
    assert "/compare <question>" in result.stdout  # the help lists the team's commands
    assert "Quick answer: What is 2+2? Yes, it is 4." in result.stdout
    assert "Ranking (heuristic score)" in result.stdout
    # The compare was stored like any other, and nothing went to the chat model.
    assert query(tmp_path, "SELECT question, status FROM compare_queries") == [
        ("What is 2+2?", "partial")
    ]
