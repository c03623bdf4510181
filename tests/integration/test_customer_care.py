"""Customer care over SMS (the real webhook, fake Twilio): bookings looked up and changed
through a conversation, someone else's booking kept private, refunds handed to a person.

Routing is pinned to customer care: which agent a message reaches is the
router's tests' business; these are about what the agent then does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.handoff.desk import HANDOFF_MESSAGE
from bot.testing.sms_bot import CUSTOMER, SmsBot, running_sms_bot
from channels.slack.testing import BOT_TOKEN, FakeSlack, run_fake_slack
from channels.slack.testing.inbound import SIGNING_SECRET
from memory.booking_records import BookingRecord
from memory.bookings import BookingStore
from memory.db import Database
from memory.models import Conversation, Message
from tests.support.routers import ScriptedRouter

#: Routing as the channel tests run it: lexical only, never a clarifying question.
ROUTING = {"router_embeddings": False, "router_min_confidence": 0.0}
OTHER_CUSTOMER = "+15559876543"


def pin(bot: SmsBot, agent: str = "customer_care") -> None:
    bot.runtime.orchestrator.router = ScriptedRouter(default=agent)


def store_of(bot: SmsBot) -> BookingStore:
    store = bot.runtime.orchestrator.agents["customer_care"].agent_tools.bookings
    assert isinstance(store, BookingStore)
    return store


def booking(reference: str, day: date, *, phone: str = CUSTOMER, **fields: Any) -> BookingRecord:
    values: dict[str, Any] = {
        "guests": 12,
        "name": "Dana Whitfield",
        "start_time": "18:00",
        "package": "Classic",
        "location": "18 Oak Street, Oakland",
        **fields,
    }
    return BookingRecord(
        reference=reference, event_date=day, addresses=(("phone", phone),), **values
    )


async def ask(bot: SmsBot, text: str) -> str:
    """Text the bot as the customer; the SMS that came back."""
    before = len(bot.fake.messages)
    await bot.text(text)
    messages = await bot.fake.wait_for_messages(before + 1)
    await bot.settle()
    return messages[before]["Body"]


async def last_reply_meta(database: Database) -> dict[str, Any]:
    async with database.sessions() as session:
        meta = await session.scalar(
            select(Message.meta).where(Message.direction == "out").order_by(Message.id.desc())
        )
    return dict(meta or {})


def model_calls(bot: SmsBot) -> int:
    return len(bot.runtime.provider.calls)  # type: ignore[attr-defined]


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[SmsBot]:
    async with running_sms_bot(database, **ROUTING) as running:
        pin(running)
        yield running


async def test_a_customer_looks_up_then_changes_their_booking(bot: SmsBot, database: Database):
    store = store_of(bot)
    day = store.today() + timedelta(days=10)
    await store.import_records([booking("HH-1042", day)])

    looked_up = await ask(bot, "When is my booking?")

    assert "HH-1042" in looked_up and f"{day:%a %d %b %Y} at 18:00" in looked_up
    assert (await last_reply_meta(database))["tool"] == "lookup_booking"

    new_day = day + timedelta(days=7)
    changed = await ask(
        bot, f"Can we move it to {new_day:%B} {new_day.day} at 7pm and make it 15 guests?"
    )

    assert changed == (
        f"Done: your booking is now HH-1042: {new_day:%a %d %b %Y} at 19:00, 15 guests, "
        "Classic package, 18 Oak Street, Oakland."
    )
    assert (await last_reply_meta(database))["tool"] == "update_booking"
    stored = await store.by_reference("HH-1042")
    assert stored is not None
    assert (stored.event_date, stored.start_time, stored.guests) == (new_day, "19:00", 15)
    assert stored.notes is not None and "customer via sms" in stored.notes
    more = await ask(bot, "Sorry, can we add 2 more guests?")  # relative to the booking's 15
    assert "17 guests" in more
    assert model_calls(bot) == 0  # decided in code: no model could get a date wrong

    # Anything else goes to the model, with the (changed) booking in its prompt.
    await ask(bot, "Do we need to provide tables for the chef?")
    [prompt] = bot.runtime.provider.calls  # type: ignore[attr-defined]
    assert f"HH-1042: {new_day:%a %d %b %Y} at 19:00, 17 guests" in prompt[0].content


async def test_with_two_bookings_the_bot_asks_which_then_changes_that_one(bot: SmsBot):
    store = store_of(bot)
    first, second = store.today() + timedelta(days=5), store.today() + timedelta(days=40)
    await store.import_records([booking("HH-1042", first), booking("HH-1052", second)])

    question = await ask(bot, "Please change the guest count to 9")

    assert "2 upcoming bookings" in question and "HH-1042" in question and "HH-1052" in question
    assert "Which one" in question

    done = await ask(bot, "HH-1052")

    assert done.startswith("Done: your booking is now HH-1052") and "9 guests" in done
    changed, untouched = await store.by_reference("HH-1052"), await store.by_reference("HH-1042")
    assert changed is not None and changed.guests == 9
    assert untouched is not None and untouched.guests == 12


async def test_someone_else_s_booking_is_neither_shown_nor_changed(bot: SmsBot):
    store = store_of(bot)
    day = store.today() + timedelta(days=10)
    await store.import_records(
        [booking("HH-1042", day, phone=OTHER_CUSTOMER, name="Marcus Lee", location="Palo Alto")]
    )

    lookup = await ask(bot, "What are the details of HH-1042?")
    change = await ask(bot, "Move HH-1042 to 30 guests")

    for answer in (lookup, change):
        assert "can't find booking HH-1042" in answer
        assert "Marcus" not in answer and "Palo Alto" not in answer and f"{day:%d %b}" not in answer
    stored = await store.by_reference("HH-1042")
    assert stored is not None and stored.guests == 12


async def test_a_past_booking_is_not_changed(bot: SmsBot):
    store = store_of(bot)
    await store.import_records([booking("HH-0999", store.today() - timedelta(days=3))])

    answer = await ask(bot, "Please move HH-0999 to 20 guests")

    assert "can't make that change" in answer and "in the past" in answer
    stored = await store.by_reference("HH-0999")
    assert stored is not None and stored.guests == 12


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        yield fake


async def test_a_refund_request_hands_the_conversation_to_a_person(
    database: Database, fake_slack: FakeSlack
):
    slack = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": fake_slack.api_url,
        "slack_ops_channel": "C0OPS",
    }
    async with running_sms_bot(database, **ROUTING, **slack) as bot:
        pin(bot)
        store = store_of(bot)
        await store.import_records([booking("HH-1042", store.today() + timedelta(days=2))])

        answer = await ask(bot, "The chef cancelled on us last time, I want a refund for HH-1042")

        assert answer == HANDOFF_MESSAGE  # no refund promised, no model asked
        assert model_calls(bot) == 0
        alerts = await fake_slack.wait_calls("chat.postMessage")
        assert alerts[0]["channel"] == "C0OPS"
        assert "refund request: HH-1042" in str(alerts[0])
        async with database.sessions() as session:
            conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        assert conversation.handed_off_at is not None
        assert conversation.handoff_reason == "refund request: HH-1042"
        assert (await last_reply_meta(database))["tool"] == "escalate"
