"""A web chat visitor proves a phone number (SMS) or e-mail (SMTP) by a code before it becomes
theirs, and a
reply written by another runtime (another process) reaches the visitor's stream.

Typing someone's number shows nothing of theirs; the code texted to it (through the
outbox and the SMS channel, to the fake Twilio) joins the visitor to that number's
contact, whose bookings they then see, and an SMS from the number lands on the same
contact. Codes are stored hashed, expire, and allow a few tries.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.testing.sms_bot import CUSTOMER
from channels.base import OutgoingMessage
from memory.booking_records import BookingRecord
from memory.bookings import BookingStore
from memory.db import Database
from memory.models import Identity, Message, WebVerification, utcnow
from tests.support.fake_smtp import run_fake_smtp
from tests.support.routers import ScriptedRouter
from tests.support.web_bot import WebBot, running_web_bot

OTHER = "+15559876543"


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[WebBot]:
    async with running_web_bot(database) as running:
        running.sms.runtime.orchestrator.router = ScriptedRouter(default="customer_care")
        yield running


async def add_booking(bot: WebBot, reference: str, phone: str = CUSTOMER) -> None:
    store = bot.sms.runtime.orchestrator.agents["customer_care"].agent_tools.bookings
    assert isinstance(store, BookingStore)
    day = store.today() + timedelta(days=10)
    record = BookingRecord(
        reference=reference, event_date=day, addresses=(("phone", phone),), guests=12
    )
    await store.import_records([record])


async def contact_of(database: Database, kind: str, value: str) -> int | None:
    async with database.sessions() as session:
        return await session.scalar(
            select(Identity.contact_id).where(Identity.kind == kind, Identity.external_id == value)
        )


def visitor_id(token: str) -> str:
    return token.split(".")[0]


def code_in(body: str) -> str:
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


async def test_a_typed_number_shows_nothing_until_its_code_is_entered(
    bot: WebBot, database: Database
):
    await add_booking(bot, "HH-2077")
    visitor = await bot.visitor()

    typed = await visitor.ask(f"My number is {CUSTOMER}. When is my booking?")
    assert "HH-2077" not in typed
    phone_contact = await contact_of(database, "phone", CUSTOMER)
    assert await contact_of(database, "web", visitor_id(visitor.token)) != phone_contact

    asked = await visitor.post("/web/v1/verify", {"address": "(555) 123-4567"})
    assert asked.status_code == 202, asked.text
    assert "4567" in asked.json()["message"]
    [texted] = await bot.sms.fake.wait_for_messages(1)
    assert texted["To"] == CUSTOMER
    code = code_in(texted["Body"])
    async with database.sessions() as session:
        stored = await session.scalar(select(WebVerification.code_hash))
    assert stored is not None and code not in stored and len(stored) == 64

    wrong = "111111" if code != "111111" else "222222"
    refused = await visitor.post("/web/v1/verify/confirm", {"code": wrong})
    assert refused.status_code == 400 and "4 tries left" in refused.json()["error"]
    assert await contact_of(database, "web", visitor_id(visitor.token)) != phone_contact
    assert "HH-2077" not in await visitor.ask("When is my booking?")

    confirmed = await visitor.post("/web/v1/verify/confirm", {"code": code})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["verified"] == "phone …4567"
    assert await contact_of(database, "web", visitor_id(visitor.token)) == phone_contact
    assert "HH-2077" in await visitor.ask("When is my booking?")

    # Recognised on SMS: a text from that number lands on the same contact.
    assert (await bot.sms.text("Hi, it's me again")).status_code == 200
    await bot.sms.settle()
    async with database.sessions() as session:
        sms_contact = await session.scalar(
            select(Message.contact_id)
            .where(Message.channel == "sms", Message.direction == "in")
            .order_by(Message.id.desc())
        )
    assert sms_contact == phone_contact
    # The code is used up.
    again = await visitor.post("/web/v1/verify/confirm", {"code": code})
    assert again.status_code == 400


async def test_codes_allow_few_tries_expire_and_are_sent_sparingly(bot: WebBot, database: Database):
    visitor = await bot.visitor()
    assert (await visitor.post("/web/v1/verify/confirm", {"code": "123456"})).status_code == 400
    assert (await visitor.post("/web/v1/verify", {"address": "not a number"})).status_code == 422

    assert (await visitor.post("/web/v1/verify", {"address": OTHER})).status_code == 202
    code = code_in((await bot.sms.fake.wait_for_messages(1))[0]["Body"])
    wrong = "000000" if code != "000000" else "999999"
    statuses = [
        (await visitor.post("/web/v1/verify/confirm", {"code": wrong})).status_code
        for _ in range(5)
    ]
    assert statuses == [400] * 5
    # Out of tries: even the right code is refused now.
    exhausted = await visitor.post("/web/v1/verify/confirm", {"code": code})
    assert exhausted.status_code == 429
    assert await contact_of(database, "phone", OTHER) is None

    # A new code, expired before it is entered.
    assert (await visitor.post("/web/v1/verify", {"address": OTHER})).status_code == 202
    code = code_in((await bot.sms.fake.wait_for_messages(2))[1]["Body"])
    async with database.transaction() as session:
        await session.execute(
            update(WebVerification).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = await visitor.post("/web/v1/verify/confirm", {"code": code})
    assert expired.status_code == 400 and "expired" in expired.json()["error"]

    # Three codes per number per hour, whoever asks.
    other = await bot.visitor()
    assert (await other.post("/web/v1/verify", {"address": OTHER})).status_code == 202
    too_many = await other.post("/web/v1/verify", {"address": OTHER})
    assert too_many.status_code == 429 and int(too_many.headers["Retry-After"]) > 0
    assert len(bot.sms.fake.messages) == 3


async def test_a_reply_written_by_another_runtime_reaches_the_stream(database: Database):
    """On PostgreSQL the answer comes from a worker runtime (``bot worker``), the server
    answering nothing itself; on SQLite another process (a follow-up round) sends on the
    web channel. Either way the stream of the serving runtime shows it."""
    postgres = database.dialect == "postgresql"
    async with running_web_bot(database, serve_worker=not postgres) as served:
        served.sms.model.replies["When do you open?"] = "At nine. See you then!"
        worker = await Runtime.start(
            served.sms.runtime.settings.model_copy(update={"serve_worker": True}),
            provider=FunctionProvider(served.sms.model, model="scripted"),
            db=database,
            migrate=False,
        )
        try:
            visitor = await served.visitor()
            if postgres:
                reply = await visitor.ask("When do you open?")
                assert reply == "At nine. See you then!"
            else:
                key = f"web:{visitor_id(visitor.token)}"
                await worker.orchestrator.outbox.send_to(
                    "web", key, OutgoingMessage("A reminder. Your tasting is tomorrow.")
                )
                events = await served.reply(visitor.token)
                assert [e.text for e in events] == ["A reminder.", "Your tasting is tomorrow."]
        finally:
            await worker.aclose(drain_seconds=5, keep_database=True)


async def test_deleting_the_contact_deletes_what_its_stream_kept(bot: WebBot, database: Database):
    from memory.models import WebEvent
    from memory.privacy import ContactPrivacy

    visitor = await bot.visitor()
    await visitor.ask("When do you open?")
    assert (await visitor.post("/web/v1/verify", {"address": OTHER})).status_code == 202
    contact = await contact_of(database, "web", visitor_id(visitor.token))
    assert contact is not None

    counts = await ContactPrivacy(database).delete(contact)
    assert counts["web_events"] >= 2 and counts["web_verifications"] == 1
    async with database.sessions() as session:
        assert await session.scalar(select(WebEvent.id)) is None
        assert await session.scalar(select(WebVerification.id)) is None


async def test_an_e_mail_is_proved_by_a_code_sent_through_smtp(database: Database):
    async with (
        run_fake_smtp() as smtp,
        running_web_bot(
            database,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_from="desk@acme.test",
            smtp_starttls=False,
        ) as bot,
    ):
        visitor = await bot.visitor()
        asked = await visitor.post("/web/v1/verify", {"address": "Jane.Doe@Example.test"})
        assert asked.status_code == 202, asked.text
        assert asked.json()["message"] == "We sent a code to j…@example.test."
        [mail] = await smtp.wait_for_messages(1)
        assert mail["To"] == "jane.doe@example.test" and mail["From"] == "desk@acme.test"
        code = code_in(mail.get_payload())
        confirmed = await visitor.post("/web/v1/verify/confirm", {"code": code})
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["verified"] == "email j…@example.test"
        assert await contact_of(database, "email", "jane.doe@example.test") == await contact_of(
            database, "web", visitor_id(visitor.token)
        )
        # A server that cannot take mail now: the visitor is told, and no code is left pending.
        smtp.refuse_next = True
        failed = await visitor.post("/web/v1/verify", {"address": "other@example.test"})
        assert failed.status_code == 502
        assert (await visitor.post("/web/v1/verify/confirm", {"code": code})).status_code == 400


async def test_without_smtp_only_a_phone_can_be_proved(bot: WebBot):
    visitor = await bot.visitor()
    refused = await visitor.post("/web/v1/verify", {"address": "jane@example.test"})
    assert refused.status_code == 422 and "phone number only" in refused.json()["error"]
