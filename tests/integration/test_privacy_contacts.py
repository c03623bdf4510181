"""ContactPrivacy: export everything about a person, then delete it leaving no row that names them.

Runs on SQLite and PostgreSQL. After the delete, every table of the schema is
read in full: no column may hold Jane's contact ids, phone, e-mail, Telegram
id or name; model calls are still there (costs add up) without their links.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.runtime import Runtime
from memory.db import Database
from memory.models import Base, Contact, Identity, Message, ModelCall
from memory.privacy import REDACTED, ContactNotFoundError, ContactPrivacy
from tests.support.privacy_data import (
    FIRST_WORDS,
    JANE_EMAIL,
    JANE_PHONE,
    JANE_STRINGS,
    JANE_TELEGRAM,
    Seeded,
    seed_jane,
)
from tests.support.rows import count_rows


@pytest.fixture
async def seeded(runtime: Runtime) -> Seeded:
    return await seed_jane(runtime)


async def every_row(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the schema."""
    tables: dict[str, list[dict[str, Any]]] = {}
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(select(table))
            tables[table.name] = [dict(r._mapping) for r in rows]
    return tables


def contact_columns() -> list[tuple[str, str]]:
    """(table, column) of every column that points at a contact."""
    return [
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "contacts" for fk in column.foreign_keys)
        or (table.name == "contacts" and column.name == "id")
    ]


async def test_export_holds_everything_about_the_person(runtime: Runtime, seeded: Seeded):
    exported = await ContactPrivacy(runtime.db).export(seeded.merged_id)

    json.dumps(exported)  # JSON-ready as it is
    assert exported["contact_id"] == seeded.jane_id  # the merged id leads to the person
    assert sorted(exported["contact_ids"]) == sorted([seeded.jane_id, seeded.merged_id])
    assert {(i["kind"], i["external_id"]) for i in exported["identities"]} == {
        ("phone", JANE_PHONE),
        ("email", JANE_EMAIL),
        ("telegram", JANE_TELEGRAM),
    }
    texts = [m["text"] for m in exported["messages"]]
    assert FIRST_WORDS in texts and len(texts) == 6  # three in, three replies
    assert not any("who is" in t for t in texts)  # Bob's message is Bob's
    [jane] = [c for c in exported["contacts"] if c["id"] == seeded.jane_id]
    assert jane["lead"]["guests"] == 40 and jane["enrichment"]["email"] == JANE_EMAIL
    assert [b["reference"] for b in exported["bookings"]] == ["HH-2001"]
    assert any(f["reason"] == "quiet lead" for f in exported["followups"])
    assert [f["rating"] for f in exported["reply_feedback"]] == [1]
    # Replies decided in code call no model: at least one reply did.
    assert exported["model_calls"]
    assert {c["contact_id"] for c in exported["model_calls"]} <= set(exported["contact_ids"])
    assert [q["question"] for q in exported["compare_queries"]] == ["Which grill for Oakland?"]
    assert len(exported["compare_answers"]) == 1 and len(exported["compare_feedback"]) == 1
    assert len(exported["tutor_pairs"]) == 1
    [conversation] = [c for c in exported["conversations"] if c["channel"] == "sms"]
    assert conversation["handoff_reason"] == "asked for a person"


async def test_delete_leaves_no_row_that_names_the_person(runtime: Runtime, seeded: Seeded):
    db = runtime.db
    calls_before = await count_rows(db, ModelCall)
    async with db.sessions() as session:
        linked = await session.scalar(
            select(func.count()).where(ModelCall.contact_id.in_([seeded.jane_id, seeded.merged_id]))
        )
    cost_before = await _total_cost(db)

    counts = await ContactPrivacy(db).delete(seeded.jane_id)

    assert counts["contacts"] == 2 and counts["identities"] == 3
    assert counts["messages"] == 6 and counts["conversations"] == 2
    # Lead nurturing may plan follow-ups of its own: at least the seeded one goes.
    assert counts["bookings"] == 1 and counts["followups"] >= 1
    assert counts["reply_feedback"] == 1 and counts["tutor_pairs"] == 1
    assert counts["compare_queries"] == 1 and counts["compare_answers"] == 1
    assert counts["compare_feedback"] == 1
    assert counts["model_calls_unlinked"] == linked >= 1
    assert counts["messages_redacted"] == 2  # Bob's question, and the reply that echoed it
    rows = await every_row(db)
    gone = {seeded.jane_id, seeded.merged_id}
    for table, column in contact_columns():
        assert not [r for r in rows[table] if r[column] in gone], (table, column)
    dump = json.dumps(rows, default=str).lower()
    for secret in JANE_STRINGS:
        assert secret.lower() not in dump, secret
    # Costs stay: every model call is still counted, linked to nobody.
    assert await count_rows(db, ModelCall) == calls_before
    assert await _total_cost(db) == pytest.approx(cost_before)
    # Bob is still there, his words about Jane redacted.
    assert await count_rows(db, Identity) == 1
    assert [REDACTED in m["text"] for m in rows["messages"]] == [True, True]


async def test_bobs_reply_echo_is_redacted_too(runtime: Runtime, seeded: Seeded):
    await ContactPrivacy(runtime.db).delete(seeded.jane_id)

    async with runtime.db.sessions() as session:
        texts = list(await session.scalars(select(Message.text).order_by(Message.id)))
    assert texts[0] == f"who is {REDACTED}? {REDACTED} wants a quote"
    assert texts[1].endswith(f"who is {REDACTED}? {REDACTED} wants a quote")


async def test_unknown_contact(runtime: Runtime):
    privacy = ContactPrivacy(runtime.db)
    with pytest.raises(ContactNotFoundError):
        await privacy.export(999)
    with pytest.raises(ContactNotFoundError):
        await privacy.delete(999)
    assert await count_rows(runtime.db, Contact) == 0


async def _total_cost(db: Database) -> float:
    async with db.sessions() as session:
        return float(await session.scalar(select(func.sum(ModelCall.cost_usd))) or 0.0)
