"""Lead follow-ups end to end over SMS: an enquiry plans one, the runner sends it
through the fake Twilio server, or skips it (STOP, cap, the lead wrote) or moves
it out of the quiet hours of the contact's time zone.

Times are fixed with ``now`` far in the future, so the planned follow-up is due
and the quiet-hours arithmetic does not depend on when the test runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from agents.errors import ProviderError
from agents.lead_nurturing.dates import extract_date
from agents.providers.function import FunctionProvider
from bot.followups.runner import SMS_OPT_OUT_NOTE
from bot.http.app import create_app
from bot.settings import load_settings
from bot.testing.sms_bot import CUSTOMER, SmsBot, running_sms_bot
from channels.testing import serve_in_background
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database
from memory.followup_records import PlannedFollowUp
from memory.followups import FollowUpStore
from memory.models import Message

ENQUIRY = "How much for 20 guests on June 14 in San Jose? - Dana"
#: 15:00 in New York (BUSINESS_TIME_ZONE here), 12:00 in California.
AFTERNOON = datetime(2030, 1, 15, 20, 0, tzinfo=UTC)
#: The event date of ENQUIRY: the next 14 June.
EVENT = extract_date("June 14", today=date.today())
assert EVENT is not None
#: 22:00 in New York: inside the default quiet hours (21:00-08:00).
LATE = datetime(2030, 1, 16, 3, 0, tzinfo=UTC)


@asynccontextmanager
async def sms_bot(database: Database, **settings: object) -> AsyncIterator[SmsBot]:
    options = {
        # Routing here is lexical and never asks back: these tests are about follow-ups.
        "router_embeddings": False,
        "router_min_confidence": 0.0,
        "business_time_zone": "America/New_York",
        "quiet_hours": "21:00-08:00",
        **settings,
    }
    async with running_sms_bot(database, **options) as bot:
        yield bot


async def enquire(bot: SmsBot, text: str = ENQUIRY) -> PlannedFollowUp:
    """The customer's enquiry by SMS; returns the follow-up it planned."""
    await bot.text(text)
    await bot.settle()
    pending = await FollowUpStore(bot.runtime.db).list(status="pending")
    assert len(pending) == 1, "the lead agent should plan one follow-up"
    return pending[0]


async def test_a_due_follow_up_is_sent_by_sms_and_stored(database: Database):
    async with sms_bot(database) as bot:
        planned = await enquire(bot)
        assert (planned.channel, planned.conversation_key) == ("sms", CUSTOMER)
        assert bot.runtime.followups is not None

        [outcome] = await bot.runtime.followups.run(now=AFTERNOON)

        assert outcome.action == "sent", outcome
        sent = await bot.fake.wait_for_messages(2)  # the enquiry's reply, then the follow-up
        body = sent[1]["Body"]
        assert body == outcome.text and body.endswith(SMS_OPT_OUT_NOTE)
        # The lead agent's model wrote it from the lead's fields (the scripted model echoes).
        assert "guests: 20" in body and f"event_date: {EVENT.isoformat()}" in body
        store = FollowUpStore(bot.runtime.db)
        [done] = await store.list(status="sent")
        assert done.id == planned.id and done.message_id is not None
        async with bot.runtime.db.sessions() as session:
            message = await session.get(Message, done.message_id)
        assert message is not None
        assert (message.direction, message.agent, message.text) == ("out", "lead_nurturing", body)
        assert message.external_id == f"out:{sent[1]['resource']['sid']}"
        assert message.meta["followup_id"] == planned.id
        # The cap (2) allows one more: it is planned, later than the first.
        [following] = await store.list(status="pending")
        assert following.due_at.replace(tzinfo=UTC) > AFTERNOON


async def test_an_opted_out_number_gets_no_follow_up(database: Database):
    async with sms_bot(database) as bot:
        planned = await enquire(bot)
        await bot.text("STOP")
        await bot.settle()
        attempts = bot.fake.attempts

        assert bot.runtime.followups is not None
        [outcome] = await bot.runtime.followups.run(now=AFTERNOON)

        assert (outcome.followup_id, outcome.action) == (planned.id, "skipped")
        assert outcome.reason == "opted out (STOP)"
        assert bot.fake.attempts == attempts  # nothing reached Twilio
        [skipped] = await FollowUpStore(bot.runtime.db).list(status="skipped")
        assert skipped.reason == "opted out (STOP)"


async def test_inside_quiet_hours_it_moves_to_their_end(database: Database):
    async with sms_bot(database) as bot:
        planned = await enquire(bot)
        attempts = bot.fake.attempts
        assert bot.runtime.followups is not None

        [outcome] = await bot.runtime.followups.run(now=LATE)

        assert outcome.action == "rescheduled"
        assert "quiet hours in America/New_York" in outcome.reason
        assert bot.fake.attempts == attempts
        [moved] = await FollowUpStore(bot.runtime.db).list(status="pending")
        assert moved.id == planned.id
        # 08:00 in New York on the morning after.
        assert moved.due_at.replace(tzinfo=UTC) == datetime(2030, 1, 16, 13, 0, tzinfo=UTC)

        # Known to be in Paris, the same contact is woken by nothing there either:
        # 04:00 in Paris; quiet until 08:00 Paris (07:00 UTC).
        assert bot.runtime.orchestrator.agents["lead_nurturing"].agent_tools.leads is not None
        await bot.runtime.followups.leads.set_time_zone(planned.contact_id, "Europe/Paris")
        await bot.runtime.followups.followups.reschedule(planned.id, LATE, "test")
        [outcome] = await bot.runtime.followups.run(now=LATE)
        assert "Europe/Paris" in outcome.reason
        [moved] = await FollowUpStore(bot.runtime.db).list(status="pending")
        assert moved.due_at.replace(tzinfo=UTC) == datetime(2030, 1, 16, 7, 0, tzinfo=UTC)

        # At the end of the quiet hours it goes out.
        [outcome] = await bot.runtime.followups.run(now=datetime(2030, 1, 16, 7, 0, tzinfo=UTC))
        assert outcome.action == "sent"


async def test_the_cap_per_contact_is_respected(database: Database):
    async with sms_bot(database, followup_max_per_contact=1) as bot:
        planned = await enquire(bot)
        runner = bot.runtime.followups
        assert runner is not None

        [first] = await runner.run(now=AFTERNOON)
        assert first.action == "sent"
        store = FollowUpStore(bot.runtime.db)
        assert await store.list(status="pending") == []  # the cap allows no next one
        # One planned anyway (another process, an older version): skipped at run time.
        await store.plan(
            contact_id=planned.contact_id,
            conversation_id=planned.conversation_id,
            due_at=AFTERNOON,
            reason="test",
        )
        sent_before = len(bot.fake.messages)

        [second] = await runner.run(now=AFTERNOON)

        assert (second.action, second.reason) == ("skipped", "cap reached (1 follow-ups)")
        assert len(bot.fake.messages) == sent_before


async def test_a_lead_who_wrote_again_starts_the_clock_over(database: Database):
    async with sms_bot(database) as bot:
        first = await enquire(bot)
        await bot.text("Actually make it 30 guests, how much would that cost?")
        await bot.settle()
        store = FollowUpStore(bot.runtime.db)

        [cancelled] = await store.list(status="cancelled")
        [pending] = await store.list(status="pending")
        assert cancelled.id == first.id and pending.id != first.id
        assert pending.due_at > first.due_at


async def test_a_lead_who_wrote_since_is_not_followed_up(database: Database):
    async with sms_bot(database) as bot:
        planned = await enquire(bot)
        # A message stored but not answered by the lead agent (a person is on it).
        await bot.runtime.conversations.record_incoming(
            channel="sms",
            conversation_key=CUSTOMER,
            addresses=[("phone", CUSTOMER)],
            text="My husband will call you",
            external_id="SM-later",
        )
        assert bot.runtime.followups is not None

        [outcome] = await bot.runtime.followups.run(now=AFTERNOON)

        assert (outcome.followup_id, outcome.action, outcome.reason) == (
            planned.id,
            "skipped",
            "wrote since",
        )


async def test_the_template_writes_it_when_the_model_fails(database: Database):
    async with sms_bot(database) as bot:
        await enquire(bot)

        async def broken(_messages: object) -> str:
            raise ProviderError("the model is down")

        runner = bot.runtime.followups
        assert runner is not None
        runner.provider = FunctionProvider(broken, model="broken")

        [outcome] = await runner.run(now=AFTERNOON)

        assert outcome.action == "sent" and outcome.reason == "via template"
        assert outcome.text is not None
        assert outcome.text.startswith("Hi Dana, it's Ember & Knife Hibachi Catering")
        assert f"on {EVENT:%A, %B} 14 for 20 guests." in outcome.text


async def test_the_served_app_runs_due_follow_ups_every_interval(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'served.db'}"
    db = Database(url)
    await db.migrate()
    store = FollowUpStore(db)
    try:
        recorded = await ConversationStore(db, ContactDirectory(db)).record_incoming(
            channel="sms",
            conversation_key=CUSTOMER,
            addresses=[("phone", CUSTOMER)],
            text=ENQUIRY,
            external_id="SM1",
        )
        assert recorded is not None
        await store.plan(
            contact_id=recorded.contact_id,
            conversation_id=recorded.conversation_id,
            due_at=datetime.now(UTC) - timedelta(minutes=5),
            reason="the lead went quiet",
        )
        settings = load_settings(
            _env_file=None,
            database_url=url,
            followup_interval_s=0.2,
            quiet_hours="",
            router_embeddings=False,
        )
        # No SMS credentials in this process: the job runs it and says why it was not sent.
        async with serve_in_background(create_app(settings)):
            for _ in range(100):  # the database is the only sign: poll it, 10 s at most
                if done := await store.list(status="skipped"):
                    break
                await asyncio.sleep(0.1)
        assert done[0].reason == "the sms channel is not on in this process"
    finally:
        await db.dispose()
