"""A new user's first hour (issue 17): `bot chat` and `bot ask` again and again on one database."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import bot_env, run_bot


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A fresh database and a model that repeats the bot's last turn of the history."""
    return bot_env(tmp_path, AI_PROVIDER="function:tests.support.replies:parrot")


def test_a_second_chat_on_the_same_database_answers(env, tmp_path):
    first = run_bot(["chat"], env, tmp_path, stdin="/help\n")
    second = run_bot(["chat"], env, tmp_path, stdin="/help\nhello\n")

    assert first.returncode == second.returncode == 0, second.stderr
    assert second.stdout.count("Here is what I can do") == 1
    assert "went wrong" not in second.stdout
    assert "Nothing said before." in second.stdout
    assert "IntegrityError" not in second.stderr


def test_command_output_never_becomes_a_later_answer(env, tmp_path):
    run_bot(["chat"], env, tmp_path, stdin="/help\n")
    asked = run_bot(["ask", "Do you use peanut oil?"], env, tmp_path)

    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == "Nothing said before.\n"


def test_chat_answers_an_unknown_command_with_the_list_and_help_names_as_and_quit(env, tmp_path):
    chat = run_bot(["chat"], env, tmp_path, stdin="/foo\n/help\n")

    assert chat.returncode == 0, chat.stderr
    assert "I don't know /foo. Here is what I can do:" in chat.stdout
    assert "Nothing said before." not in chat.stdout  # /foo never reached the model
    assert chat.stdout.count("/as KIND:VALUE speak as someone else, /quit leave") == 2


def test_chat_keeps_log_lines_out_of_the_conversation(env, tmp_path):
    chat = run_bot(["chat"], env, tmp_path, stdin="hello\n")

    assert chat.returncode == 0, chat.stderr
    assert "WARNING" not in chat.stdout + chat.stderr
    assert "no ops channel" in (tmp_path / "bot-chat.log").read_text()


def test_log_level_governs_the_bots_own_lines(env, tmp_path):
    info = run_bot(["ask", "hi"], {**env, "LOG_LEVEL": "INFO"}, tmp_path)
    errors_only = run_bot(["ask", "hi"], {**env, "LOG_LEVEL": "ERROR"}, tmp_path)
    default = run_bot(["ask", "hi"], env, tmp_path)

    assert "INFO bot.handoff.ops_channel: no ops channel" in info.stderr
    assert "INFO bot.runtime: bot ready" in info.stderr and "bot ready" in default.stderr
    assert errors_only.stderr == ""


def test_chat_as_a_customer_behaves_as_sms(env, tmp_path):
    stdin = "What is on the menu?\nI want a refund for HH-1051\nHELP\nSTOP\nhello?\n"
    env = {**env, "AI_PROVIDER": "function:tests.support.replies:priced"}
    chat = run_bot(["chat", "--as", "phone:(415) 555-0101"], env, tmp_path, stdin=stdin)

    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    assert "you are a customer texting from +14155550101 (SMS)" in " ".join(out.split())
    assert "SMS · 1 segment · GSM-7\nbot> Your question had 5 words." in out
    assert "SMS · 2 segments · GSM-7" in out and "[1/2] I can't bring" in out  # refund: handoff
    assert "Reply STOP to opt out." in out  # HELP: the carrier keyword's answer
    assert out.count("bot>") == 4  # STOP silences, and after it nothing is sent
    with sqlite3.connect(tmp_path / "bot.db") as db:
        rows = db.execute("SELECT DISTINCT channel FROM messages").fetchall()
    assert rows == [("sms",)]


def test_chat_customer_needs_a_phone(env, tmp_path):
    chat = run_bot(["chat", "--customer", "--as", "email:jo@example.com"], env, tmp_path)

    assert chat.returncode == 2
    assert "a customer on SMS is a phone number" in chat.stderr


def test_ctrl_c_stops_the_answer_not_the_chat_and_it_is_never_answered(env, tmp_path):
    slow = {**env, "AI_PROVIDER": "function:bot.testing.slow_replies:slow_echo"}
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        # Only the first message is slow: "still there?" is answered at once.
        env={**slow, "SLOW_REPLY_S": "60", "SLOW_REPLY_MATCH": "Hello there"},
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        chat.stdin.write("Hello there\n")
        chat.stdin.flush()
        wait_for(lambda: tmp_path.joinpath("bot.db").exists() and stored(tmp_path))
        time.sleep(1)  # the answer has started: its model call waits 60 s
        chat.send_signal(signal.SIGINT)
        out, err = chat.communicate("still there?\n", timeout=120)
    finally:
        chat.kill()

    assert chat.returncode == 0, err
    assert "stopped: that message is recorded as cancelled" in out
    again = run_bot(["chat"], slow, tmp_path, stdin="")  # a restart: the sweep runs
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(tmp_path / "bot.db") as db:
        rows = db.execute(
            "SELECT id, direction, text, meta, handled_at, reply_to_id FROM messages ORDER BY id"
        ).fetchall()
    first, second, *replies = rows
    assert first[1:3] == ("in", "Hello there") and json.loads(first[3])["cancelled"] is True
    assert first[4] is not None
    assert second[1:3] == ("in", "still there?")
    assert [reply[5] for reply in replies] == [second[0]]  # the chat went on; no late answer


def stored(tmp_path: Path) -> bool:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        try:
            return bool(db.execute("SELECT count(*) FROM messages").fetchone()[0])
        except sqlite3.OperationalError:  # not migrated yet
            return False


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
