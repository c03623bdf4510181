"""The one-statement intake (PostgreSQL): what the long path stores, in one statement.

A new person, a known one, a re-delivery, a STOP from both, a display name,
and the race of two first messages of one new person (the loser stores
nothing and the caller takes the long path).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text

from memory.db import Database
from memory.models import Contact, Identity, Message
from memory.one_statement_intake import JobToDefer, LostRace, OneStatementIntake
from tests.conftest import _postgres_database, drop_schema

pytestmark = pytest.mark.postgres

JOB = JobToDefer(queue="answers", task="bot.answer_message", lock="sms:+14155550100", args={})


@pytest.fixture
async def pg() -> AsyncIterator[Database]:
    db = await _postgres_database()
    await db.migrate()
    try:
        yield db
    finally:
        await drop_schema(db)
        await db.dispose()


async def store(intake: OneStatementIntake, external_id: str, **changes: object):
    fields: dict = {
        "channel": "sms",
        "conversation_key": "+14155550100",
        "address": ("phone", "+14155550100"),
        "text": "hello",
        "external_id": external_id,
        "display_name": None,
        "meta": {"incoming": {"text": "hello"}},
        "stop": False,
        "job": JOB,
    }
    return await intake.store(**{**fields, **changes})


async def jobs_of(db: Database) -> list[tuple[str, str, dict]]:
    async with db.sessions() as session:
        rows = await session.execute(
            text("SELECT task_name, lock, args FROM procrastinate_jobs ORDER BY id")
        )
        return [tuple(row) for row in rows]


async def test_new_then_known_sender_and_redelivery(pg: Database) -> None:
    intake = OneStatementIntake(pg)
    first = await store(intake, "SM1", display_name="Ana")
    assert first is not None
    second = await store(intake, "SM2", text="again")
    assert second is not None
    assert (second.contact_id, second.conversation_id) == (first.contact_id, first.conversation_id)
    assert second.contact_name == "Ana"
    assert await store(intake, "SM1") is None  # a re-delivery: nothing stored, no job
    assert await jobs_of(pg) == [
        ("bot.answer_message", "sms:+14155550100", {"message_id": first.message_id}),
        ("bot.answer_message", "sms:+14155550100", {"message_id": second.message_id}),
    ]
    async with pg.sessions() as session:
        stored = (await session.execute(select(Message).order_by(Message.id))).scalars().all()
        contacts = await session.scalar(select(func.count()).select_from(Contact))
    assert [(m.text, m.direction, m.meta) for m in stored] == [
        ("hello", "in", {"incoming": {"text": "hello"}}),
        ("again", "in", {"incoming": {"text": "hello"}}),
    ]
    assert contacts == 1


async def test_stop_opts_out_new_and_known_senders(pg: Database) -> None:
    intake = OneStatementIntake(pg)
    await store(intake, "SM1", address=("phone", "+14155550101"), stop=True)  # first message
    await store(intake, "SM2")
    await store(intake, "SM3", stop=True)  # a known sender
    async with pg.sessions() as session:
        rows = await session.execute(select(Identity.external_id, Identity.opted_out_at))
        opted = {value: at is not None for value, at in rows}
    assert opted == {"+14155550101": True, "+14155550100": True}


async def test_a_name_fills_in_a_known_contact_without_one(pg: Database) -> None:
    intake = OneStatementIntake(pg)
    await store(intake, "SM1")
    await store(intake, "SM2", display_name="Ana")
    async with pg.sessions() as session:
        assert await session.scalar(select(Contact.display_name)) == "Ana"


async def test_the_loser_of_a_first_message_race_stores_nothing(pg: Database) -> None:
    intake = OneStatementIntake(pg)
    async with pg.engine.connect() as other:
        # Another request created the same person and has not committed yet.
        contact_id = await other.scalar(
            text("INSERT INTO contacts (facts, created_at) VALUES ('{}', now()) RETURNING id")
        )
        await other.execute(
            text(
                "INSERT INTO identities (kind, external_id, contact_id, created_at)"
                " VALUES ('phone', '+14155550100', :id, now())"
            ),
            {"id": contact_id},
        )
        racing = asyncio.create_task(store(intake, "SM1"))
        await asyncio.sleep(0.3)  # it waits on the uncommitted identity
        await other.commit()
        with pytest.raises(LostRace):
            await racing
    assert await jobs_of(pg) == []
    async with pg.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Contact)) == 1
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
