"""A web chat visitor is a customer, as on SMS: a refund goes to a person (the team's reply
then reaches the visitor's stream), and another customer's booking is not shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.handoff.desk import HANDOFF_MESSAGE
from channels.slack.testing import BOT_TOKEN, FakeSlack, run_fake_slack
from channels.slack.testing.inbound import SIGNING_SECRET
from memory.booking_records import BookingRecord
from memory.bookings import BookingStore
from memory.db import Database
from tests.support.routers import ScriptedRouter
from tests.support.web_bot import WebBot, ends_reply, running_web_bot

OTHER_CUSTOMER = "+15559876543"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        yield fake


@pytest.fixture
async def bot(database: Database, slack: FakeSlack) -> AsyncIterator[WebBot]:
    team = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_base_url": slack.api_url,
        "slack_ops_channel": "C0OPS",
    }
    async with running_web_bot(database, **team) as running:
        running.sms.runtime.orchestrator.router = ScriptedRouter(default="customer_care")
        store = running.sms.runtime.orchestrator.agents["customer_care"].agent_tools.bookings
        assert isinstance(store, BookingStore)
        day = store.today() + timedelta(days=5)
        await store.import_records(
            [BookingRecord("HH-3051", day, addresses=(("phone", OTHER_CUSTOMER),), guests=8)]
        )
        yield running


async def test_a_refund_goes_to_a_person_whose_reply_reaches_the_stream(
    bot: WebBot, slack: FakeSlack
):
    visitor = await bot.visitor()
    answer = await visitor.ask("The chef was late, I want a refund")
    assert answer == HANDOFF_MESSAGE
    alerts = await slack.wait_calls("chat.postMessage")
    assert alerts[0]["channel"] == "C0OPS"

    handoffs = bot.sms.runtime.orchestrator.handoffs
    [handed] = await handoffs.store.active()
    assert handed.channel == "web" and handed.ops_thread is not None
    relayed = await handoffs.relay(
        handed.ops_thread,
        "Hi, Sam here. So sorry! Refund on its way.",
        author="Sam",
        author_id="U1",
    )
    assert relayed.outcome == "sent"
    events = await bot.read_events(visitor.token, until=ends_reply, after=visitor.seen)
    assert [e.text for e in events] == ["Hi, Sam here.", "So sorry!", "Refund on its way."]


async def test_another_customer_s_booking_is_not_shown(bot: WebBot):
    visitor = await bot.visitor()
    answer = await visitor.ask("When is booking HH-3051?")
    assert "can't find booking HH-3051" in answer
    assert "8 guests" not in answer
