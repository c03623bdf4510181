"""SMS webhooks over real HTTP: Twilio's signature, dedup, keywords, delivery reports.

The bot runs with SMS on and sends through the Twilio SDK to a fake Messages
API on 127.0.0.1; inbound requests are signed with Twilio's `RequestValidator`
for the public URL (not the local server's URL).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from twilio.twiml.messaging_response import MessagingResponse

from bot.testing.sms_bot import CUSTOMER, FROM_NUMBER, HELP_TEXT, PUBLIC_URL, SmsBot
from bot.testing.sms_bot import running_sms_bot as _running
from channels.base import OutgoingMessage
from channels.errors import RecipientOptedOutError
from channels.sms.testing import inbound_form
from memory.db import Database
from memory.models import Message

EMPTY_TWIML = str(MessagingResponse())


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[SmsBot]:
    async with _running(database) as running:
        yield running


async def messages(bot: SmsBot, direction: str | None = None) -> int:
    query = select(func.count()).select_from(Message)
    if direction:
        query = query.where(Message.direction == direction)
    async with bot.runtime.db.sessions() as session:
        return await session.scalar(query)


async def test_unsigned_forged_or_misaddressed_requests_are_refused(bot: SmsBot):
    form = inbound_form("hello", sender=CUSTOMER)
    local_url = str(bot.http.base_url).rstrip("/") + "/sms/inbound"

    unsigned = await bot.post("/sms/inbound", form, headers={})
    forged = await bot.post("/sms/inbound", form, headers={"X-Twilio-Signature": "Zm9yZ2Vk"})
    # Signed for the URL the request reached rather than the one Twilio was given.
    local = await bot.post(
        "/sms/inbound", form, headers=bot.signer.headers("", form, url=local_url)
    )
    tampered = await bot.post(
        "/sms/inbound",
        {**form, "Body": "send me money"},
        headers=bot.signer.headers("/sms/inbound", form),
    )

    assert [r.status_code for r in (unsigned, forged, local, tampered)] == [403] * 4
    await bot.settle()
    assert await messages(bot) == 0
    assert bot.fake.attempts == 0


async def test_malformed_webhooks_get_400_and_store_nothing(bot: SmsBot):
    no_sender = inbound_form("hello", sender=CUSTOMER)
    del no_sender["From"]
    not_a_form = b"\xff\xfe{not: a form}"

    missing = await bot.post("/sms/inbound", no_sender)
    garbled = await bot.http.post(
        "/sms/inbound",
        content=not_a_form,
        headers={"X-Twilio-Signature": bot.signer.sign("/sms/inbound", {})},
    )

    assert (missing.status_code, garbled.status_code) == (400, 400)
    assert await messages(bot) == 0


async def test_a_text_gets_empty_twiml_at_once_and_the_reply_by_rest(bot: SmsBot):
    bot.model.gate.clear()  # the model has not answered yet when Twilio gets its answer

    # The sample documents answer it: the test model is asked, not "not sure".
    response = await bot.text("Do you cook indoors?", sid="SM" + "1" * 32)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text == EMPTY_TWIML
    assert await messages(bot, "in") == 1  # stored before the acknowledgement
    assert bot.fake.messages == []
    bot.model.gate.set()
    [sent] = await bot.fake.wait_for_messages(1)
    assert sent["To"] == CUSTOMER
    assert sent["From"] == FROM_NUMBER
    assert sent["Body"] == "You said: Do you cook indoors?"
    assert sent["StatusCallback"] == PUBLIC_URL + "/sms/status"


async def test_the_same_message_sid_twice_gets_one_reply(bot: SmsBot):
    first = await bot.text("Hi there, thanks!", sid="SM" + "2" * 32)
    again = await bot.text("Hi there, thanks!", sid="SM" + "2" * 32)
    await bot.settle()

    assert first.status_code == again.status_code == 200
    assert again.text == EMPTY_TWIML
    assert bot.fake.bodies == ["You said: Hi there, thanks!"]
    assert await messages(bot) == 2


async def test_stop_silences_the_bot_until_start(bot: SmsBot):
    await bot.text("STOP")
    await bot.text("Are you open today?")
    await bot.settle()

    assert bot.fake.attempts == 0  # no reply to STOP, none to the message after it
    assert await messages(bot, "in") == 2  # both stored

    await bot.text("start")
    await bot.settle()
    assert bot.fake.attempts == 0  # Twilio confirms START itself
    await bot.text("Are you open now?")
    await bot.fake.wait_for_messages(1)
    assert bot.fake.bodies == ["You said: Are you open now?"]


async def test_a_proactive_send_to_an_opted_out_number_is_refused(bot: SmsBot):
    await bot.text(" Unsubscribe ")
    await bot.settle()

    with pytest.raises(RecipientOptedOutError):
        await bot.channel.send(CUSTOMER, OutgoingMessage("Spring sale: 20% off!"))

    assert bot.fake.attempts == 0


async def test_help_gets_the_business_contact_line(bot: SmsBot):
    await bot.text("help")

    [sent] = await bot.fake.wait_for_messages(1)
    assert sent["Body"] == HELP_TEXT


async def test_slash_commands_are_read_as_on_every_channel(bot: SmsBot):
    await bot.text("/help")
    [listed] = await bot.fake.wait_for_messages(1)
    await bot.text("/foo bar")
    await bot.text("/enrich jane@acme.com")
    _, unknown, team_only = await bot.fake.wait_for_messages(3)

    # A typed /help is the customer's command list (the keyword HELP is the contact line).
    assert listed["Body"].startswith("Here is what I can do:") and "/ask" in listed["Body"]
    assert "/enrich" not in listed["Body"] and "/compare" not in listed["Body"]
    assert unknown["Body"].startswith("I don't know /foo. Here is what I can do:")
    assert team_only["Body"].startswith("I don't know /enrich. Here is what I can do:")
    assert not any(body.startswith("You said") for body in bot.fake.bodies)  # no model asked


async def test_an_undelivered_report_is_recorded_on_the_sent_message(bot: SmsBot):
    await bot.text("Can I book for Friday?")
    [sent] = await bot.fake.wait_for_messages(1)
    await bot.settle()  # the reply's SID is stored once the send returns
    sid = sent["resource"]["sid"]
    report = {
        "AccountSid": bot.fake.account_sid,
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": "undelivered",
        "SmsStatus": "undelivered",
        "ErrorCode": "30003",
        "To": CUSTOMER,
        "From": FROM_NUMBER,
        "ApiVersion": "2010-04-01",
    }

    forged = await bot.post("/sms/status", report, headers={"X-Twilio-Signature": "Zm9yZ2Vk"})
    on_its_way = await bot.post("/sms/status", {**report, "MessageStatus": "sent"})
    assert (forged.status_code, on_its_way.status_code) == (403, 204)
    assert "delivery" not in (await sent_reply(bot, sid)).meta  # only final reports count

    response = await bot.post("/sms/status", report)

    assert response.status_code == 204
    reply = await sent_reply(bot, sid)
    assert reply.direction == "out"
    assert reply.meta["delivery"]["status"] == "undelivered"
    assert reply.meta["delivery"]["error"] == "30003"


async def sent_reply(bot: SmsBot, sid: str) -> Message:
    async with bot.runtime.db.sessions() as session:
        reply = await session.scalar(select(Message).where(Message.external_id == f"out:{sid}"))
    assert reply is not None, f"no stored reply with SID {sid}"
    return reply


async def test_healthz_shows_sms_on_and_its_sender(bot: SmsBot):
    response = await bot.http.get("/healthz")

    sms = response.json()["channels"]["sms"]
    assert sms == {"on": True, "mode": "webhook", "from": FROM_NUMBER}


async def test_without_verification_unsigned_texts_are_taken(database: Database):
    # DEV_SKIP_WEBHOOK_VERIFICATION: for local tunnels only (the bot warns at start).
    async with _running(database, dev_skip_webhook_verification=True) as bot:
        response = await bot.post("/sms/inbound", inbound_form("hi", sender=CUSTOMER), headers={})

        assert response.status_code == 200
        await bot.fake.wait_for_messages(1)
