"""``bot kb`` as a user runs it: add, search, list, remove; then ``bot ask`` uses it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from agents.knowledge.unknown import NOT_IN_DOCUMENTS
from tests.support.cli import bot_env, run_bot

DESSERT = """# Desserts

- Mochi ice cream: $4 per guest, green tea, mango or strawberry.
- Birthday cake: bring your own; the chef will light the candles on the grill.
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    # Routing is not what these tests are about: lexical alone (no embedded model
    # to load in every subprocess), and no clarifying question.
    return bot_env(
        tmp_path,
        AI_PROVIDER="function:tests.support.replies:priced",
        ROUTER_EMBEDDINGS="false",
        ROUTER_MIN_CONFIDENCE="0",
    )


def kb(args: list[str], env: dict[str, str], cwd: Path):
    return run_bot(["kb", *args], env, cwd)


def test_list_shows_the_sample_documents_after_a_first_start(env, tmp_path):
    result = kb(["list"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    for source in ("faq.md", "policies.md", "pricing.md"):
        assert source in result.stdout
    assert "Pricing and packages" in result.stdout


def test_add_search_and_remove_a_document(env, tmp_path):
    dessert = tmp_path / "desserts.md"
    dessert.write_text(DESSERT)

    added = kb(["add", str(dessert)], env, tmp_path)
    again = kb(["add", str(dessert)], env, tmp_path)
    found = kb(["search", "--json", "--limit", "2", "do you have mochi?"], env, tmp_path)
    removed = kb(["remove", str(dessert)], env, tmp_path)
    gone = kb(["search", "--json", "do you have mochi?"], env, tmp_path)

    source = dessert.resolve().as_posix()
    assert added.returncode == 0, added.stderr
    assert added.stdout == f"{source}: added/updated, 2 chunks\n"
    assert again.stdout == f"{source}: unchanged, 2 chunks\n"
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert hits[0]["source"] == source and hits[0]["heading"] == "Desserts"
    assert hits[0]["text"].startswith("Mochi ice cream") and hits[0]["used"] is True
    assert len(hits) <= 2
    assert removed.stdout == f"removed {source}: 2 chunks\n"
    assert gone.returncode == 0 and source not in gone.stdout


def test_search_marks_chunks_too_weak_to_use(env, tmp_path):
    result = kb(["search", "--json", "is the salmon wild or farmed?"], env, tmp_path)

    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert hits and all(h["used"] is False for h in hits)  # salmon is named, farming is not


def test_bad_documents_and_unknown_sources_are_refused(env, tmp_path):
    pdf = tmp_path / "menu.pdf"
    pdf.write_bytes(b"%PDF-1.4")

    bad = kb(["add", str(pdf)], env, tmp_path)
    unknown = kb(["remove", "nothing.md"], env, tmp_path)

    assert bad.returncode == 2 and "only Markdown and text" in bad.stderr
    assert unknown.returncode == 1 and "no document 'nothing.md'" in unknown.stderr


def test_ask_answers_from_an_added_document_and_admits_what_it_does_not_know(env, tmp_path):
    dessert = tmp_path / "desserts.md"
    dessert.write_text(DESSERT)
    assert kb(["add", str(dessert)], env, tmp_path).returncode == 0

    known = run_bot(["ask", "--json", "Do you have mochi ice cream?"], env, tmp_path)
    unknown = run_bot(["ask", "--json", "Do you offer a loyalty program?"], env, tmp_path)

    assert known.returncode == 0, known.stderr
    assert json.loads(known.stdout)["model"] == "function:priced"
    assert json.loads(unknown.stdout)["text"] == NOT_IN_DOCUMENTS
    with sqlite3.connect(tmp_path / "bot.db") as db:
        metas = [
            json.loads(m)
            for (m,) in db.execute("SELECT meta FROM messages WHERE direction = 'out' ORDER BY id")
        ]
    assert metas[0]["citations"][0]["source"] == dessert.resolve().as_posix()
    assert metas[1]["model"] == "bot:no-knowledge"
