"""One customer, two channels: a text by SMS, then Telegram after sharing the same phone.

The whole bot runs with SMS and Telegram on (from their settings), served over
real HTTP; Twilio and Telegram are fakes on loopback, and both webhooks are
signed or carry their secret as the vendors do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.testing.served import http_client, running_runtime
from channels.sms.testing import FakeTwilio, TwilioSigner, inbound_form, run_fake_twilio
from channels.telegram.testing import FakeTelegram, run_fake_telegram
from channels.telegram.verify import SECRET_HEADER
from memory.db import Database
from memory.models import Identity, Message
from tests.support.telegram_updates import USER_ID, contact_update, text_update

PUBLIC_URL = "https://bot.example.test"
TELEGRAM_SECRET = "cross-channel-secret"
PHONE = "+14155550142"


class Bot:
    """The served bot and what it talks to."""

    def __init__(
        self, runtime: Runtime, http: httpx.AsyncClient, twilio: FakeTwilio, telegram: FakeTelegram
    ) -> None:
        self.runtime, self.http, self.twilio, self.telegram = runtime, http, twilio, telegram
        self.signer = TwilioSigner(twilio.auth_token, PUBLIC_URL)

    async def sms(self, text: str) -> None:
        form = inbound_form(text, sender=PHONE)
        response = await self.http.post(
            "/sms/inbound", data=form, headers=self.signer.headers("/sms/inbound", form)
        )
        assert response.status_code == 200, response.text
        await self.runtime.inbox.work.drain(10)

    async def telegram_update(self, update: dict) -> None:
        response = await self.http.post(
            "/telegram/webhook", json=update, headers={SECRET_HEADER: TELEGRAM_SECRET}
        )
        assert response.status_code == 200, response.text
        await self.runtime.inbox.work.drain(10)


def remembering(prompt: Sequence[ChatMessage]) -> str:
    """Says whether the party of 30 (told by SMS) is in what it was given.

    The first reply and the later ones differ: the bot never sends the same reply twice.
    """
    seen = " ".join(message.content for message in prompt)
    if "30 guests" not in seen:
        return "Tell me about your party."
    if "You mentioned" in seen:
        return "Noted: your party of 30 guests."
    return "You mentioned 30 guests."


@pytest.fixture
async def bot(tmp_path: Path, database: Database) -> AsyncIterator[Bot]:
    provider = FunctionProvider(remembering, model="remembering")
    async with (
        run_fake_twilio() as twilio,
        run_fake_telegram() as telegram,
        running_runtime(
            database,
            provider,
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.auth_token,
            twilio_from_number="+15550000000",
            twilio_public_url=PUBLIC_URL,
            twilio_api_base_url=twilio.url,
            telegram_bot_token=telegram.token,
            telegram_webhook_secret=TELEGRAM_SECRET,
            telegram_api_base_url=telegram.url,
        ) as runtime,
        http_client(runtime) as http,
    ):
        assert set(runtime.channels.adapters) == {"sms", "telegram"}
        yield Bot(runtime, http, twilio, telegram)


async def test_a_customer_who_texts_then_shares_that_phone_on_telegram_is_one_contact(bot: Bot):
    await bot.sms("Hi, this is Dana. I'm planning a birthday for 30 guests on May 3.")
    assert bot.twilio.bodies == ["You mentioned 30 guests."]

    await bot.telegram_update(contact_update(1, PHONE.removeprefix("+")))  # Telegram drops the +
    await bot.telegram_update(text_update(2, "Can you do it?"))

    async with bot.runtime.db.sessions() as session:
        owners = dict(
            (
                await session.execute(
                    select(Identity.kind, Identity.contact_id).where(
                        Identity.external_id.in_([PHONE, str(USER_ID)])
                    )
                )
            ).all()
        )
        history = (
            await session.execute(
                select(Message.channel, Message.direction, Message.text).order_by(Message.id)
            )
        ).all()
        contacts = set((await session.scalars(select(Message.contact_id))).all())
    assert owners.keys() == {"phone", "telegram"}
    assert len(set(owners.values())) == 1  # one contact
    assert contacts == set(owners.values())  # every message, either channel, is theirs
    # The Telegram answer was written knowing what was said by SMS.
    assert bot.telegram.texts[-1] == "Noted: your party of 30 guests."
    assert [(channel, direction) for channel, direction, _text in history] == [
        ("sms", "in"),
        ("sms", "out"),
        ("telegram", "in"),
        ("telegram", "out"),
    ]
