"""`bot chat` shows the reply sentence by sentence, each once checked: what is printed is
exactly what is stored (issue 17, item 5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import bot_env, run_bot
from tests.support.replies import invents_price


def printed_replies(stdout: str) -> list[str]:
    """The bot's replies as printed: from each ``bot>`` to the dim line about the reply."""
    replies = []
    for chunk in stdout.split("bot> ")[1:]:
        # The line about the reply names its agent first ("lead_nurturing · model · …").
        text = chunk.split(" · ")[0].rsplit("\n", 1)[0]
        replies.append(" ".join(text.split()))
    return replies


def stored_replies(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        rows = db.execute("SELECT text FROM messages WHERE direction = 'out' ORDER BY id")
        return [" ".join(text.split()) for (text,) in rows]


def test_an_invented_price_is_never_printed_and_what_is_printed_is_stored(tmp_path):
    env = bot_env(tmp_path, AI_PROVIDER="function:tests.support.replies:invents_price")
    stdin = "Tell me about your dinner prices\nHello there\n"

    chat = run_bot(["chat"], env, tmp_path, stdin=stdin)

    assert chat.returncode == 0, chat.stderr
    assert "$999" not in chat.stdout and "We bring everything" not in chat.stdout
    printed = printed_replies(chat.stdout)
    assert printed == stored_replies(tmp_path) and len(printed) == 2
    assert printed[0].startswith("We cook at your home. ")  # sentence 1, then the substitute
    assert printed[0] != " ".join(invents_price([]).split())


@pytest.mark.embedded_model
def test_the_embedded_model_prints_what_is_stored(tmp_path):
    # Under load the small model's 160 tokens take minutes; idle, seconds.
    chat = run_bot(
        ["chat"], bot_env(tmp_path), tmp_path, stdin="Do you cater weddings?\n", timeout=600
    )

    assert chat.returncode == 0, chat.stderr
    printed = printed_replies(chat.stdout)
    assert printed and printed == stored_replies(tmp_path)
