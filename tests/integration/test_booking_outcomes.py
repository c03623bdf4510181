"""A new booking rates the lead nurturing replies before it (``booking_outcome``), once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import Settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.booking_records import BookingRecord
from memory.bookings import BookingStore
from memory.db import Database
from memory.feedback import FeedbackStore
from memory.models import Message, ReplyFeedback, utcnow
from tests.support.routers import ScriptedRouter
from tests.support.rows import count_rows

PHONE = "+15551230001"
OTHER_PHONE = "+15551230002"
CARE_QUESTION = "Where do I see my invoice?"


@pytest.fixture
async def runtime(
    settings: Settings, database: Database, model: FunctionProvider
) -> AsyncIterator[Runtime]:
    router = ScriptedRouter(routes={CARE_QUESTION: ("customer_care", 1.0)})
    rt = await Runtime.start(
        settings,
        provider=model,
        router=router,
        channels={"sms": RecordingChannel("sms")},
        db=database,
    )
    try:
        yield rt
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)


def sms(text: str, external_id: str, phone: str = PHONE) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", phone),
        conversation_key=phone,
        text=text,
        external_id=external_id,
    )


def booking(reference: str, *, status: str = "confirmed", guests: int = 40) -> BookingRecord:
    return BookingRecord(
        reference=reference,
        event_date=date(2027, 3, 6),
        guests=guests,
        addresses=(("phone", PHONE),),
        name="Rosa Diaz",
        status=status,
    )


async def reply_to(runtime: Runtime, text: str, external_id: str, phone: str = PHONE) -> int:
    reply = await runtime.orchestrator.handle(sms(text, external_id, phone))
    assert reply is not None
    return reply.reply_message_id


async def outcomes(db: Database) -> list[tuple[int, str, int]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(ReplyFeedback.message_id, ReplyFeedback.rater, ReplyFeedback.rating)
            .where(ReplyFeedback.kind == "booking_outcome")
            .order_by(ReplyFeedback.message_id)
        )
        return [tuple(row) for row in rows]


async def test_a_new_booking_rates_the_lead_replies_before_it_once(runtime: Runtime):
    old = await reply_to(runtime, "Hi, do you cater weddings?", "SM1")
    first = await reply_to(runtime, "About 40 guests in March", "SM2")
    care = await reply_to(runtime, CARE_QUESTION, "SM3")
    second = await reply_to(runtime, "Great, let's book it", "SM4")
    stranger = await reply_to(runtime, "Do you cater weddings?", "SM5", phone=OTHER_PHONE)
    async with runtime.db.sessions() as session:
        agents = dict(
            (
                await session.execute(select(Message.id, Message.agent).where(Message.id == care))
            ).all()
        )
    assert agents == {care: "customer_care"}
    async with runtime.db.transaction() as session:  # older than the 30 days that count
        await session.execute(
            update(Message)
            .where(Message.id == old)
            .values(created_at=utcnow() - timedelta(days=40))
        )
    store = BookingStore(runtime.db, runtime.contacts)

    result = await store.import_records([booking("hh-2001")])

    assert result.created == ["HH-2001"]
    assert await outcomes(runtime.db) == [
        (first, "booking:HH-2001", 1),
        (second, "booking:HH-2001", 1),
    ]
    assert stranger not in {m for m, _, _ in await outcomes(runtime.db)}
    rated = [c async for c in FeedbackStore(runtime.db).rated_conversations()]
    assert len(rated) == 1
    async with runtime.db.sessions() as session:
        conversation_id = await session.scalar(
            select(Message.conversation_id).where(Message.id == first)
        )
    assert rated[0].conversation_id == conversation_id
    assert [score for _, _, score in rated[0].turns if score is not None] == [1, 1]

    again = await store.import_records([booking("HH-2001", guests=42)])  # an update

    assert again.created == [] and again.updated == ["HH-2001"]
    assert await count_rows(runtime.db, ReplyFeedback) == 2


async def test_a_cancelled_booking_rates_nothing(runtime: Runtime):
    await reply_to(runtime, "Hi, do you cater weddings?", "SM1")

    result = await BookingStore(runtime.db, runtime.contacts).import_records(
        [booking("HH-2002", status="cancelled")]
    )

    assert result.created == ["HH-2002"]
    assert await count_rows(runtime.db, ReplyFeedback) == 0
    assert [c async for c in FeedbackStore(runtime.db).rated_conversations()] == []


async def test_a_booking_with_no_lead_conversation_rates_nothing(runtime: Runtime):
    await reply_to(runtime, CARE_QUESTION, "SM1")

    await BookingStore(runtime.db, runtime.contacts).import_records([booking("HH-2003")])

    assert await count_rows(runtime.db, ReplyFeedback) == 0
