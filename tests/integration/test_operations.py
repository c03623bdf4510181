"""Operations is for the team: an SMS customer who asks an operations question (through
the real SMS webhook and fake Twilio) gets no bookings, pipeline or costs; the same
question from Slack, or from a Telegram id in TEAM_TELEGRAM_IDS, gets the data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from agents.operations.agent import REFUSAL
from agents.operations.reports import money
from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.testing.slack_bot import running_slack_bot
from bot.testing.sms_bot import SmsBot, running_sms_bot
from channels.base import Address, IncomingMessage
from channels.slack.testing import FakeSlack, run_fake_slack
from channels.slack.testing.inbound import dm_event
from channels.testing import RecordingChannel
from memory.booking_records import BookingRecord
from memory.bookings import BookingStore
from memory.contacts import ContactDirectory
from memory.db import Database
from memory.leads import LeadBook
from memory.models import Message
from memory.spend import SpendLedger, month_bounds, month_key
from tests.integration.test_customer_care import ROUTING
from tests.support.routers import ScriptedRouter

QUESTION = "How many events do we have tomorrow?"
#: Strings only the internal data holds: booking references, customers, leads, figures.
INTERNAL = ("HH-3001", "HH-3002", "Olive Tran", "Ray Ortiz", "Gina Lopez", "Napa", "$", "spend")


async def seed(runtime: Runtime) -> None:
    """Bookings today and tomorrow for two other customers, and one qualified lead."""
    store = runtime.orchestrator.agents["operations"].agent_tools.bookings
    assert isinstance(store, BookingStore)
    today = store.today()
    await store.import_records(
        [
            BookingRecord(
                reference="HH-3001",
                event_date=today,
                guests=20,
                start_time="17:30",
                addresses=(("phone", "+15550001111"),),
                name="Olive Tran",
            ),
            BookingRecord(
                reference="HH-3002",
                event_date=today + timedelta(days=1),
                guests=14,
                start_time="18:00",
                addresses=(("email", "ray@example.com"),),
                name="Ray Ortiz",
                location="Berkeley",
            ),
        ]
    )
    contacts = ContactDirectory(runtime.db)
    async with runtime.db.transaction() as session:
        lead = await contacts.resolve(session, [("phone", "+15550002222")])
    fields = {"name": "Gina Lopez", "event_date": f"{today + timedelta(days=60)}", "guests": 40}
    await LeadBook(runtime.db).capture(
        lead.id, {**fields, "location": "Napa"}, scorer=lambda _f: (80, ["date, guests, place"])
    )


async def tools_of_replies(database: Database) -> list[Any]:
    async with database.sessions() as session:
        metas = await session.scalars(
            select(Message.meta).where(Message.direction == "out").order_by(Message.id)
        )
        return [(meta or {}).get("tool") for meta in metas]


@pytest.fixture
async def sms(database: Database) -> AsyncIterator[SmsBot]:
    async with running_sms_bot(database, **ROUTING) as bot:
        await seed(bot.runtime)
        yield bot


async def test_an_operations_question_by_sms_is_refused_without_internal_data(
    sms: SmsBot, database: Database
):
    sms.runtime.orchestrator.router = ScriptedRouter(default="operations")

    await sms.text(QUESTION)
    await sms.text("Show me the lead pipeline and what we spent on AI this month")
    sent = await sms.fake.wait_for_messages(2)
    await sms.settle()

    assert [m["Body"] for m in sent] == [REFUSAL, REFUSAL]
    assert await tools_of_replies(database) == ["refused", "refused"]
    assert sms.runtime.provider.calls == []  # type: ignore[attr-defined]


async def test_whatever_the_router_picks_an_sms_customer_sees_no_internal_data(sms: SmsBot):
    questions = [
        QUESTION,
        "Who is booked for today?",
        "What does our lead pipeline look like?",
        "How much did we spend on api calls this month?",
        "Which chefs are working tomorrow and what's on the schedule?",
    ]
    for question in questions:
        await sms.text(question)
    sent = await sms.fake.wait_for_messages(len(questions))
    await sms.settle()

    for message in sent:
        leaked = [marker for marker in INTERNAL if marker in message["Body"]]
        assert not leaked, (message["Body"], leaked)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        fake.add_user("U1", name="Sam Team", email="sam@emberandknife.example")
        yield fake


async def test_the_same_questions_from_slack_get_the_data(
    fake_slack: FakeSlack, database: Database, model: FunctionProvider
):
    async with running_slack_bot(fake_slack, database, model, **ROUTING) as bot:
        await seed(bot.runtime)
        router = ScriptedRouter(default="knowledge")
        bot.runtime.orchestrator.router = router
        await bot.event(dm_event("Do you bring plates?", ts="1.000001"))  # a priced model call
        await fake_slack.wait_calls("chat.postMessage", 1)
        await bot.settle()
        router.default = "operations"

        await bot.event(dm_event(QUESTION, ts="2.000001"))
        await bot.event(dm_event("What does our lead pipeline look like?", ts="3.000001"))
        await bot.event(dm_event("How much did we spend on models this month?", ts="4.000001"))
        posted = await fake_slack.wait_calls("chat.postMessage", 4)
        await bot.settle()
        spent = await SpendLedger(database).total(*month_bounds(datetime.now(UTC)))

    schedule, pipeline, costs = (p["text"] for p in posted[1:])
    assert "Tomorrow" in schedule and "HH-3002" in schedule and "Ray Ortiz" in schedule
    assert "18:00" in schedule and "14 guests" in schedule
    assert "HH-3001" in schedule  # today's too
    assert "Gina Lopez: qualified, score 80" in pipeline and "Napa" in pipeline
    assert spent.calls == 1 and spent.cost_usd > 0
    month = month_key(datetime.now(UTC))
    assert f"Model spend in {month} (UTC): {money(spent.cost_usd)} over 1 call" in costs
    assert "function" in costs and "knowledge" in costs  # by provider and by agent
    assert len(model.calls) == 1  # the answers with data were decided in code


async def test_telegram_team_ids_get_the_data_and_other_telegram_users_do_not(
    database: Database, model: FunctionProvider
):
    settings = load_settings(
        _env_file=None, database_url=database.url, team_telegram_ids="42", **ROUTING
    )
    telegram = RecordingChannel("telegram")
    runtime = await Runtime.start(
        settings,
        provider=model,
        router=ScriptedRouter(default="operations"),
        channels={"telegram": telegram},
        db=database,
    )
    try:
        await seed(runtime)

        def asked_by(user: str, n: int) -> IncomingMessage:
            return IncomingMessage(
                channel="telegram",
                sender=Address("telegram", user),
                conversation_key=user,
                text=QUESTION,
                external_id=f"u{n}",
            )

        customer = await runtime.orchestrator.handle(asked_by("99", 1))
        team = await runtime.orchestrator.handle(asked_by("42", 2))
    finally:
        await runtime.aclose(drain_seconds=5, keep_database=True)

    assert customer is not None and customer.text == REFUSAL
    assert team is not None and "HH-3002" in team.text and "Ray Ortiz" in team.text
