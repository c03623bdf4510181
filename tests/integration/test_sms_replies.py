"""SMS replies through the Twilio SDK to a fake Messages API: segments, length, 429s.

Each reply is one API message; the channel's segment plan says how carriers
split it, and the fake's ``num_segments`` (computed apart from our code, as
Twilio bills) must agree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import cycle

import pytest
from sqlalchemy import select

from bot.testing.sms_bot import CUSTOMER, SmsBot
from bot.testing.sms_bot import running_sms_bot as _running
from channels.base import Address, IncomingMessage, OutgoingMessage, Receipt
from channels.errors import ChannelSendError
from channels.sms.config import TwilioConfig
from channels.sms.outbound import SmsChannel
from channels.sms.segments import GSM7, UCS2
from channels.sms.testing import run_fake_twilio
from memory.db import Database
from memory.models import Message

EMOJI = "\U0001f642"  # 🙂: outside the BMP, two UTF-16 code units


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[SmsBot]:
    async with _running(database) as running:
        yield running


def prose(
    length: int, sentence: str = "Our team will call you back before noon to confirm the booking."
) -> str:
    """``length`` characters of plain GSM-7 sentences."""
    words = cycle(sentence.split())
    text = ""
    while len(text) < length:
        text += next(words) + " "
    return text[:length]


async def reply_to(bot: SmsBot, question: str, answer: str) -> dict:
    """Text ``question`` with the model set to say ``answer``; the message Twilio got."""
    bot.model.replies[question] = answer
    before = len(bot.fake.messages)
    await bot.text(question)
    messages = await bot.fake.wait_for_messages(before + 1)
    await bot.settle()
    return messages[before]


async def test_a_300_character_reply_with_an_emoji_is_five_ucs2_parts(bot: SmsBot):
    # The emoji sits where the first part ends (66 units in), so it must move whole.
    answer = prose(66) + EMOJI + prose(233)
    assert len(answer) == 300 and len(answer.encode("utf-16-le")) // 2 == 301

    sent = await reply_to(bot, "Is gratuity included?", answer)  # the documents answer it

    assert sent["Body"] == answer  # one message; the carriers split it
    plan = bot.channel.recent[-1].plan
    assert plan.encoding == UCS2
    assert plan.units == 301
    assert plan.segments == 5  # ceil(301 / 67); a whole character moving on costs no part here
    assert "".join(plan.parts) == answer
    assert all(len(part.encode("utf-16-le")) // 2 <= 67 for part in plan.parts)
    assert plan.part_units[0] == 66 and plan.parts[1].startswith(EMOJI)
    assert sent["resource"]["num_segments"] == str(plan.segments)


async def test_a_161_character_gsm_reply_is_two_parts(bot: SmsBot):
    sent = await reply_to(bot, "Sounds good, thanks.", prose(161))  # not a question: no grounding

    plan = bot.channel.recent[-1].plan
    assert (plan.encoding, plan.segments) == (GSM7, 2)
    assert all(units <= 153 for units in plan.part_units)
    assert sent["resource"]["num_segments"] == "2"


async def test_extension_characters_count_two_septets(bot: SmsBot):
    one_segment = prose(158) + "€"  # 159 characters, 160 septets
    # Other words than the first reply's: the bot never sends a reply twice.
    two_segments = prose(157, "Thanks for writing, a chef texts you soon about menus.") + "[]"

    first = await reply_to(bot, "price?", one_segment)
    second = await reply_to(bot, "Sounds good, thanks.", two_segments)  # not a question

    plans = [sent.plan for sent in list(bot.channel.recent)[-2:]]
    assert [(p.encoding, p.units, p.segments) for p in plans] == [(GSM7, 160, 1), (GSM7, 161, 2)]
    assert [first["resource"]["num_segments"], second["resource"]["num_segments"]] == ["1", "2"]


async def test_typographic_punctuation_does_not_force_ucs2(bot: SmsBot):
    sent = await reply_to(bot, "when?", "It’s booked — see you at 10\u00a0am… “Thanks!”")

    assert sent["Body"] == 'It\'s booked - see you at 10 am... "Thanks!"'
    assert bot.channel.recent[-1].plan.encoding == GSM7


async def test_a_reply_over_1600_characters_is_cut_to_1600(bot: SmsBot):
    answer = "We open at nine. " * 150  # 2,550 characters

    sent = await reply_to(bot, "tell me everything", answer.strip())

    assert len(sent["Body"]) <= 1600
    assert sent["Body"].startswith("We open at nine.")
    assert bot.fake.attempts == 1  # Twilio took it the first time (no 21617)
    # What is stored is what the customer got (the rest was never sent).
    async with bot.runtime.db.sessions() as session:
        stored = await session.scalar(select(Message.text).where(Message.direction == "out"))
    assert stored is not None and len(stored) <= 1600
    assert sent["Body"].startswith(stored.rstrip("….").rstrip())


async def test_an_outbound_429_is_waited_out(bot: SmsBot, caplog: pytest.LogCaptureFixture):
    bot.fake.rate_limit(1, retry_after="0.1")

    sent = await reply_to(bot, "still there?", "Yes, still here.")

    assert sent["Body"] == "Yes, still here."
    assert bot.fake.attempts == 2
    assert len(bot.fake.messages) == 1
    assert "rate limited; waiting 0.1 s" in caplog.text  # Twilio's Retry-After, not a guess


class OpenInbox:
    """An inbox where everyone may be sent to: for the channel on its own."""

    async def deliver(self, incoming: IncomingMessage) -> Receipt:
        raise AssertionError("not used")

    async def link(self, sender: Address, alias: Address) -> None:
        raise AssertionError("not used")

    async def may_send(self, recipient: Address) -> bool:
        return True

    async def record_delivery(
        self, channel: str, sent_id: str, *, status: str, error: str | None = None
    ) -> bool:
        return False


async def test_a_messaging_service_sends_without_a_from_number():
    async with run_fake_twilio() as fake:
        config = TwilioConfig(
            account_sid=fake.account_sid,
            auth_token=fake.auth_token,
            public_url="https://bot.example.test/",
            messaging_service_sid="MG" + "a" * 32,
            api_base_url=fake.url,
        )
        channel = SmsChannel(config, OpenInbox())
        try:
            sid = await channel.send(CUSTOMER, OutgoingMessage("Your table is ready."))
        finally:
            await channel.aclose()

    [sent] = fake.messages
    assert sid == sent["resource"]["sid"] and sid.startswith("SM") and len(sid) == 34
    assert sent["MessagingServiceSid"] == "MG" + "a" * 32
    assert "From" not in sent
    assert sent["StatusCallback"] == "https://bot.example.test/sms/status"


async def test_a_wrong_auth_token_is_a_send_error_not_a_retry():
    async with run_fake_twilio() as fake:
        config = TwilioConfig(
            account_sid=fake.account_sid,
            auth_token="not-the-token",
            public_url="https://bot.example.test",
            from_number="+15550000000",
            api_base_url=fake.url,
        )
        channel = SmsChannel(config, OpenInbox())
        try:
            with pytest.raises(ChannelSendError, match="error 20003") as raised:
                await channel.send(CUSTOMER, OutgoingMessage("hello"))
        finally:
            await channel.aclose()

    assert raised.value.status == 401
    assert fake.attempts == 1
