"""A new user's first hour (issue 17): `bot chat` and `bot ask` again and again on one database."""

from __future__ import annotations

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
