"""The start-up sweep of the embedded (SQLite, in-process) path, after a process died
with a reply stored but its job unfinished: a reply never sent is sent once, and one
that was being sent is recorded as unknown, never sent twice.

The state a ``kill -9`` leaves is made by answering a message, then taking back what
the dead process would not have written (the job's ``handled_at``, the send's end).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.testing.sms_bot import running_sms_bot
from memory.db import Database
from memory.models import Message

QUESTION, ANSWER = "hello, do you do catering?", "We do! When is your event?"


async def died_with_reply(db: Database, send_state: str) -> int:
    """Answer one SMS, then leave its job unfinished with its reply in ``send_state``."""
    async with running_sms_bot(db) as bot:
        bot.model.replies[QUESTION] = ANSWER
        await bot.text(QUESTION)
        await bot.fake.wait_for_messages(1)
        await bot.settle()
    async with db.transaction() as session:
        incoming = await session.scalar(select(Message.id).where(Message.direction == "in"))
        await session.execute(update(Message).where(Message.id == incoming).values(handled_at=None))
        await session.execute(
            update(Message).where(Message.reply_to_id == incoming).values(send_state=send_state)
        )
    assert incoming is not None
    return incoming


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await database.migrate()
    yield database
    await database.dispose()


async def test_a_reply_stored_but_never_sent_is_sent_once_at_the_next_start(db: Database):
    incoming = await died_with_reply(db, "pending")

    async with running_sms_bot(db) as restarted:
        sent = await restarted.fake.wait_for_messages(1)
        await restarted.settle()
        assert [m["Body"] for m in restarted.fake.messages] == [ANSWER]
    assert sent[0]["Body"] == ANSWER
    async with db.sessions() as session:
        handled = await session.scalar(select(Message.handled_at).where(Message.id == incoming))
        replies = (
            await session.scalars(select(Message.id).where(Message.direction == "out"))
        ).all()
    assert handled is not None and len(replies) == 1  # the stored reply, not a new answer


async def test_a_reply_being_sent_when_the_process_died_is_recorded_unknown(db: Database):
    incoming = await died_with_reply(db, "sending")

    async with running_sms_bot(db) as restarted:
        await restarted.settle()
        assert restarted.fake.messages == []  # no idempotency key: never a second text
    async with db.sessions() as session:
        state = await session.scalar(
            select(Message.send_state).where(Message.reply_to_id == incoming)
        )
    assert state == "unknown"
