"""`bot chat` in a real terminal (a pty): Ctrl-C at the prompt leaves cleanly, Ctrl-C during
an answer stops only that answer; a customer's commands are read as on SMS (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import bot_env, run_bot
from tests.support.terminal import CTRL_C, Terminal


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    # An answer takes 60 s: Ctrl-C is what ends it here.
    return bot_env(
        tmp_path, AI_PROVIDER="function:bot.testing.slow_replies:slow_echo", SLOW_REPLY_S="60"
    )


@pytest.fixture
def chat(env: dict[str, str], tmp_path: Path) -> Iterator[Terminal]:
    terminal = Terminal(["chat"], env, tmp_path)
    try:
        yield terminal
    finally:
        terminal.close()


def test_ctrl_c_at_the_prompt_says_goodbye_and_exits_0(chat: Terminal):
    chat.expect("you>")
    chat.type(CTRL_C)

    assert chat.wait() == 0, chat.text
    assert "bye (Ctrl-C)" in chat.text
    assert "Traceback" not in chat.text and "KeyboardInterrupt" not in chat.text


def test_ctrl_c_during_an_answer_stops_it_and_the_chat_goes_on(chat: Terminal):
    chat.expect("you>")
    chat.type(b"Hello there\r")
    chat.expect("typing")
    chat.type(CTRL_C)
    chat.expect("stopped: that message is recorded as cancelled")
    chat.expect("you>", count=2)  # the chat goes on: a second prompt
    chat.type(CTRL_C)

    assert chat.wait() == 0, chat.text
    assert chat.text.count("you>") == 2 and "bye (Ctrl-C)" in chat.text
    assert "Traceback" not in chat.text


def test_a_customers_commands_are_read_as_sms_reads_them(tmp_path):
    env = bot_env(tmp_path, AI_PROVIDER="function:tests.support.replies:priced")
    stdin = "/help\n/foo\n/enrich jane@acme.com\nHELP\n"

    chat = run_bot(["chat", "--customer"], env, tmp_path, stdin=stdin)

    assert chat.returncode == 0, chat.stderr
    out = " ".join(chat.stdout.split())
    assert out.count("Here is what I can do:") == 3  # /help, and the list after each unknown
    assert "I don't know /foo." in out and "I don't know /enrich." in out
    assert "/compare" not in out  # a team command is unknown to a customer
    assert "Your question had" not in out  # no command reached the model
    assert "Reply STOP to opt out." in out  # the keyword HELP is still the carrier's
