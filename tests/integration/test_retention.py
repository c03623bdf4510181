"""RETENTION_DAYS: old messages and model text anonymised, recent ones and costs untouched.

Runs on SQLite and PostgreSQL. Jane's rows are aged past the period; Bob's
stay recent. After the purge, Jane's words and the personal parts of their
meta are gone, Bob's are whole, and every model call and paid send (what
`bot costs` adds) reads exactly as before.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bot.retention import RetentionLoop
from bot.runtime import Runtime
from memory.db import Database
from memory.models import CompareAnswer, CompareQuery, Message, ModelCall, SendCost, TutorPair
from memory.models.base import utcnow
from memory.retention import purge_old_text, removed_text
from tests.support.privacy_data import FIRST_WORDS, Seeded, seed_jane

DAYS = 30


async def seed_and_age(runtime: Runtime) -> Seeded:
    """Jane's messages, compare and tutor pair made 100 days old; Bob's left as they are."""
    seeded = await seed_jane(runtime)
    old = utcnow() - timedelta(days=100)
    async with runtime.db.transaction() as session:
        await session.execute(
            update(Message).where(Message.contact_id != seeded.bob_id).values(created_at=old)
        )
        await session.execute(update(CompareQuery).values(created_at=old))
        await session.execute(update(TutorPair).values(created_at=old))
    return seeded


async def rows(db: Database, table: Any) -> list[dict[str, Any]]:
    async with db.sessions() as session:
        result = await session.execute(select(table.__table__).order_by(table.id))
        return [dict(row._mapping) for row in result]


async def test_old_text_anonymised_recent_kept_costs_unchanged(runtime: Runtime):
    seeded = await seed_and_age(runtime)
    db = runtime.db
    calls_before, sends_before = await rows(db, ModelCall), await rows(db, SendCost)
    messages_before = {row["id"]: row for row in await rows(db, Message)}
    jane_messages = [m for m in messages_before.values() if m["contact_id"] != seeded.bob_id]
    assert jane_messages and any(m["text"] == FIRST_WORDS for m in jane_messages)

    dry = await purge_old_text(db, days=DAYS, dry_run=True)
    assert dry.messages == len(jane_messages) and dry.tutor_pairs == 1
    assert dry.compare_queries == 1 and dry.compare_answers == 1
    assert {r["id"]: r for r in await rows(db, Message)} == messages_before  # dry: no change

    report = await purge_old_text(db, days=DAYS)
    assert report == dry
    after = {row["id"]: row for row in await rows(db, Message)}
    assert after.keys() == messages_before.keys()  # rows kept: counts and threads add up
    for message_id, row in after.items():
        before = messages_before[message_id]
        if before["contact_id"] == seeded.bob_id:
            assert row == before  # recent: untouched
            continue
        assert row["text"] == removed_text(DAYS)
        assert "incoming" not in row["meta"] and row["meta"]["removed_after_days"] == DAYS
        assert FIRST_WORDS not in str(row["meta"])
        for kept in ("agent", "channel", "direction", "created_at", "conversation_id"):
            assert row[kept] == before[kept]
    bob_in = after[seeded.bob_message_id]
    assert "incoming" in bob_in["meta"] and bob_in["text"] != removed_text(DAYS)

    (pair,) = await rows(db, TutorPair)
    assert pair["prompt"] == [] and pair["student_text"] == "" and pair["decision"] == "student"
    (query,) = await rows(db, CompareQuery)
    (answer,) = await rows(db, CompareAnswer)
    assert query["question"] == removed_text(DAYS) and answer["text"] == ""
    assert await rows(db, ModelCall) == calls_before and calls_before
    assert await rows(db, SendCost) == sends_before

    again = await purge_old_text(db, days=DAYS)  # idempotent: nothing left to do
    assert (again.messages, again.tutor_pairs, again.compare_queries) == (0, 0, 0)


async def test_the_round_runs_by_itself(runtime: Runtime, model, channels):
    """SQLite: the in-process loop of `bot serve`; PostgreSQL: a periodic job of the engine."""
    await seed_and_age(runtime)
    if runtime.inbox.jobs.durable:
        settings = runtime.settings.model_copy(update={"retention_days": DAYS})
        other = await Runtime.start(
            settings, provider=model, channels=channels, db=runtime.db, worker=False
        )
        try:
            tasks = other.inbox.jobs.app.periodic_registry.periodic_tasks
            assert any(task.periodic_id == "retention" for task in tasks.values())
        finally:
            await other.aclose(drain_seconds=5, keep_database=True)
        return
    loop = RetentionLoop(db=runtime.db, days=DAYS)
    try:
        for _ in range(500):
            if (await purge_old_text(runtime.db, days=DAYS, dry_run=True)).messages == 0:
                break
            await asyncio.sleep(0.01)
    finally:
        await loop.stop()
    texts = {row["text"] for row in await rows(runtime.db, Message)}
    assert removed_text(DAYS) in texts and FIRST_WORDS not in texts
