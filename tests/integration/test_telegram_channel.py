"""The Telegram adapter's parts against the fake Bot API: sending, editing, errors,
translating updates (with a recording inbox), and registering the webhook."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from channels.base import (
    Address,
    Card,
    CardAction,
    IncomingMessage,
    OutgoingMessage,
    Receipt,
)
from channels.errors import ChannelError, ChannelSendError, InboxUnavailableError
from channels.telegram.adapter import TelegramAdapter
from channels.telegram.client import delete_webhook, set_webhook
from channels.telegram.config import TelegramConfig
from channels.telegram.testing import FakeTelegram, run_fake_telegram
from tests.support.telegram_updates import USER_ID, text_update

CHAT = str(USER_ID)


class RecordingInbox:
    """An `Inbox` that keeps what it is given; a repeated external id is a duplicate."""

    def __init__(self, *, fail: Exception | None = None) -> None:
        self.delivered: list[IncomingMessage] = []
        self.links: list[tuple[Address, Address]] = []
        self.fail = fail

    async def deliver(self, incoming: IncomingMessage) -> Receipt:
        if self.fail is not None:
            raise self.fail
        duplicate = any(m.external_id == incoming.external_id for m in self.delivered)
        if not duplicate:
            self.delivered.append(incoming)
        return Receipt(accepted=not duplicate, duplicate=duplicate)

    async def link(self, sender: Address, alias: Address) -> None:
        self.links.append((sender, alias))

    async def may_send(self, recipient: Address) -> bool:
        return True

    async def record_delivery(self, channel, sent_id, *, status, error=None) -> bool:
        return False


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with run_fake_telegram() as fake:
        yield fake


def config(fake: FakeTelegram, **changes) -> TelegramConfig:
    return TelegramConfig(
        bot_token=fake.token, webhook_secret="sekret", api_base_url=fake.url, **changes
    )


@pytest.fixture
async def adapter(fake: FakeTelegram) -> AsyncIterator[TelegramAdapter]:
    adapter = TelegramAdapter(config(fake, verify_requests=False), RecordingInbox())
    try:
        yield adapter
    finally:
        await adapter.aclose()


@pytest.fixture
async def client(adapter: TelegramAdapter) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(adapter.router())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        yield http


async def test_a_card_with_actions_gets_inline_buttons(adapter, fake):
    card = Card("Compare", actions=(CardAction("pick", "Best: A", "a"),))

    sent_id = await adapter.channel.send(CHAT, OutgoingMessage("Answers are in", card=card))

    [message] = fake.messages
    assert sent_id == f"{USER_ID}:{message.message_id}"
    assert message.text == "Answers are in\n\nCompare"
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "Best: A", "callback_data": "pick|a"}]]
    }


async def test_update_edits_in_place(adapter, fake):
    sent_id = await adapter.channel.send(CHAT, OutgoingMessage("Working on it…"))

    again = await adapter.channel.update(CHAT, sent_id, OutgoingMessage("Done: 1 < 2"))
    same = await adapter.channel.update(CHAT, sent_id, OutgoingMessage("Done: 1 < 2"))

    assert again == same == sent_id  # "message is not modified" is not a failure
    [message] = fake.messages
    assert (message.text, message.edits) == ("Done: 1 < 2", 1)


async def test_update_of_a_message_that_is_gone_sends_anew(adapter, fake):
    new_id = await adapter.channel.update(CHAT, f"{USER_ID}:999", OutgoingMessage("Fresh"))

    assert new_id == f"{USER_ID}:1"
    assert fake.texts == ["Fresh"]


async def test_a_refusal_becomes_a_channel_send_error(adapter, fake):
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    with pytest.raises(ChannelSendError, match="blocked") as raised:
        await adapter.channel.send(CHAT, OutgoingMessage("Hello"))

    assert raised.value.status == 403
    with pytest.raises(ChannelSendError, match="not a Telegram chat id"):
        await adapter.channel.send("slack:C1", OutgoingMessage("Hello"))


async def test_updates_become_incoming_messages(adapter, client):
    # verify_requests=False (DEV_SKIP_WEBHOOK_VERIFICATION): no secret header needed.
    first = await client.post("/telegram/webhook", json=text_update(7, "/enrich@desk_bot jo@x.io"))
    again = await client.post("/telegram/webhook", json=text_update(7, "/enrich@desk_bot jo@x.io"))

    assert first.status_code == again.status_code == 200
    [incoming] = adapter.inbound.inbox.delivered  # type: ignore[attr-defined]
    assert incoming.channel == "telegram"
    assert incoming.sender == Address("telegram", str(USER_ID))
    assert (incoming.conversation_key, incoming.external_id) == (CHAT, f"{CHAT}:1007")
    assert incoming.extras["update_id"] == 7
    assert (incoming.command, incoming.arguments) == ("enrich", "jo@x.io")
    assert incoming.text == "/enrich@desk_bot jo@x.io"
    assert incoming.sender_name == "Ann Lee"


async def post_with_failing_inbox(fake: FakeTelegram, failure: Exception) -> httpx.Response:
    adapter = TelegramAdapter(config(fake), RecordingInbox(fail=failure))
    app = FastAPI()
    app.include_router(adapter.router())
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://app"
        ) as http:
            return await http.post(
                "/telegram/webhook",
                json=text_update(8, "hi"),
                headers={"X-Telegram-Bot-Api-Secret-Token": "sekret"},
            )
    finally:
        await adapter.aclose()


async def test_the_database_out_of_reach_gets_503_so_telegram_sends_again(fake):
    response = await post_with_failing_inbox(fake, InboxUnavailableError("connection refused"))

    assert response.status_code == 503


async def test_an_update_that_fails_otherwise_is_acknowledged_and_dropped_in_one_line(
    fake, caplog: pytest.LogCaptureFixture
):
    # A poison update: answered with an error, Telegram would send it again for a day.
    response = await post_with_failing_inbox(fake, RuntimeError("cannot store this"))

    assert response.status_code == 200
    [dropped] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "dropped" in dropped.getMessage() and "cannot store this" in dropped.getMessage()
    assert dropped.exc_info is None


async def test_webhook_registration(fake):
    await set_webhook(config(fake), "https://bot.example/telegram/webhook", drop_pending=True)
    await delete_webhook(config(fake))

    [registered] = fake.calls_to("setWebhook")
    assert registered.params["secret_token"] == "sekret"
    assert registered.params["drop_pending_updates"] == "true"
    assert fake.calls_to("deleteWebhook")


async def test_a_malformed_token_is_a_clear_error(fake):
    with pytest.raises(ChannelError, match="TELEGRAM_BOT_TOKEN"):
        TelegramAdapter(TelegramConfig(bot_token="not-a-token"), RecordingInbox())
