"""The ``bot`` command as a user runs it: a real subprocess on a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import bot_env, run_bot
from tests.support.replies import INPUT_PRICE, OUTPUT_PRICE


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A fresh database and the priced function model; no .env, no inherited settings."""
    return bot_env(tmp_path, AI_PROVIDER="function:tests.support.replies:priced")


def run(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None):
    return run_bot(args, env, cwd, stdin=stdin)


def query(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        return db.execute(sql).fetchall()


def test_ask_prints_the_answer_and_stores_it(env, tmp_path):
    result = run(["ask", "Do you cook indoors?"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Your question had 4 words.\n"
    assert query(tmp_path, "SELECT direction, text FROM messages ORDER BY id") == [
        ("in", "Do you cook indoors?"),
        ("out", "Your question had 4 words."),
    ]


def test_ask_json_reports_usage_and_the_call_is_logged(env, tmp_path):
    result = run(["ask", "--json", "How much is the deposit?"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["agent"] == "lead_nurturing"
    assert answer["model"] == "function:priced"
    expected_cost = answer["input_tokens"] * INPUT_PRICE + answer["output_tokens"] * OUTPUT_PRICE
    assert answer["cost_usd"] == pytest.approx(expected_cost)
    [(provider, model, agent, tokens_in, tokens_out, cost)] = query(
        tmp_path,
        "SELECT provider, model, agent, input_tokens, output_tokens, cost_usd FROM model_calls",
    )
    assert (provider, model, agent) == ("function", "priced", "lead_nurturing")
    assert (tokens_in, tokens_out) == (answer["input_tokens"], answer["output_tokens"])
    assert cost == pytest.approx(expected_cost)


def test_ask_again_with_the_same_id_gives_no_second_reply(env, tmp_path):
    first = run(["ask", "--id", "q-1", "Are tips included?"], env, tmp_path)
    again = run(["ask", "--id", "q-1", "Are tips included?"], env, tmp_path)

    assert first.returncode == again.returncode == 0
    assert again.stdout == first.stdout
    assert "answered before" in again.stderr
    assert query(tmp_path, "SELECT count(*) FROM model_calls") == [(1,)]
    assert query(tmp_path, "SELECT count(*) FROM messages") == [(2,)]


def test_chat_remembers_across_identities_linked_by_hand(env, tmp_path):
    run(["ask", "--as", "phone:+15551234567", "My party is on June 14"], env, tmp_path)
    run(["ask", "--as", "email:dana@example.com", "Hello from my e-mail"], env, tmp_path)
    linked = run(
        ["contacts", "link", "email:dana@example.com", "phone:(555) 123-4567"], env, tmp_path
    )
    shown = run(["contacts", "show", "phone:+15551234567"], env, tmp_path)

    assert linked.returncode == 0, linked.stderr
    assert "phone:+15551234567" in linked.stdout and "email:dana@example.com" in linked.stdout
    assert "My party is on June 14" in shown.stdout
    assert "Hello from my e-mail" in shown.stdout


def test_chat_session_answers_and_quits(env, tmp_path):
    result = run(
        ["chat", "--team", "--as", "phone:+15550001111"],
        env,
        tmp_path,
        stdin="What is on the menu?\n/quit\n",
    )

    assert result.returncode == 0, result.stderr
    assert "Your question had 5 words." in result.stdout
    assert "knowledge" in result.stdout  # the line about agent and model


def test_bad_setting_fails_with_one_line_naming_it(env, tmp_path):
    env["DATABASE_URL"] = "mysql://nope"
    result = run(["ask", "hi"], env, tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: Invalid setting DATABASE_URL: must start with sqlite+aiosqlite:// or "
        "postgresql+asyncpg://"
    ]


def test_unknown_provider_fails_with_one_line(env, tmp_path):
    env["AI_PROVIDER"] = "nosuch:model"
    result = run(["ask", "hi"], env, tmp_path)

    assert result.returncode == 2
    assert "AI_PROVIDER" in result.stderr and "unknown model provider 'nosuch'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_model_file_fails_with_one_line(env, tmp_path):
    env["AI_PROVIDER"] = "local:/nowhere/model.gguf"
    result = run(["ask", "hi"], env, tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == "error: model file not found: /nowhere/model.gguf"


def test_migrate_and_console_script(env, tmp_path):
    result = run_bot(["migrate"], env, tmp_path, console_script=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "database is up to date"
    tables = {name for (name,) in query(tmp_path, "SELECT name FROM sqlite_master")}
    assert {"contacts", "identities", "conversations", "messages", "model_calls"} <= tables
