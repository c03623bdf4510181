"""Telegram end to end over real HTTP: Telegram POSTs to the app's webhook, the app
answers through aiogram to a fake Bot API on loopback."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.testing.served import http_client, running_runtime
from channels.telegram.testing import FakeTelegram, run_fake_telegram
from channels.telegram.verify import SECRET_HEADER
from memory.db import Database
from memory.models import Message
from tests.support.telegram_updates import (
    USER_ID,
    callback_update,
    contact_update,
    photo_update,
    text_update,
)

SECRET = "s3cret_webhook-token"
SHARE_PHONE_KEYBOARD = {
    "keyboard": [[{"text": "Share my phone number", "request_contact": True}]],
    "one_time_keyboard": True,
    "resize_keyboard": True,
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with run_fake_telegram() as fake:
        yield fake


@pytest.fixture
async def runtime(
    database: Database, model: FunctionProvider, fake: FakeTelegram
) -> AsyncIterator[Runtime]:
    """The bot with Telegram on (from its settings), pointed at the fake Bot API."""
    async with running_runtime(
        database,
        model,
        telegram_bot_token=fake.token,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=fake.url,
    ) as rt:
        yield rt


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(runtime) as http:
        yield http


async def post(client: httpx.AsyncClient, update: dict, secret: str | None = SECRET):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return await client.post("/telegram/webhook", json=update, headers=headers)


async def stored(runtime: Runtime) -> int:
    async with runtime.db.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Message))


async def test_healthz_shows_telegram_on_by_webhook(client: httpx.AsyncClient):
    channels = (await client.get("/healthz")).json()["channels"]

    assert channels["telegram"] == {"on": True, "mode": "webhook"}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", "s3cret"])
async def test_a_missing_or_wrong_secret_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram, secret: str | None
):
    response = await post(client, text_update(1, "hello"), secret=secret)

    assert response.status_code == 401
    await runtime.inbox.work.drain(5)
    assert await stored(runtime) == 0
    assert fake.calls == []


@pytest.mark.parametrize("body", ['{"update_id": 1, "message": ', "[1, 2]", '{"message": {}}'])
async def test_a_body_that_is_not_an_update_is_acknowledged_and_dropped(
    client: httpx.AsyncClient, runtime: Runtime, body: str
):
    response = await client.post(
        "/telegram/webhook",
        content=body,
        headers={SECRET_HEADER: SECRET, "content-type": "application/json"},
    )

    # 200: anything else, and Telegram would send the same body again for a day.
    assert response.status_code == 200
    assert await stored(runtime) == 0


async def test_a_message_is_stored_before_the_200_and_answered(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram
):
    response = await post(client, text_update(10, "Do you cater weddings?"))

    assert response.status_code == 200
    assert await stored(runtime) >= 1  # stored before the acknowledgement
    [sent] = await fake.wait_for_messages(1)
    assert (sent.chat_id, sent.text) == (USER_ID, "You said: Do you cater weddings?")
    assert sent.parse_mode == "HTML"


async def test_the_same_update_posted_twice_gets_one_reply(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram
):
    first = await post(client, text_update(20, "Hi there, thanks!"))
    again = await post(client, text_update(20, "Hi there, thanks!"))

    assert first.status_code == again.status_code == 200
    await runtime.inbox.work.drain(5)
    assert fake.texts == ["You said: Hi there, thanks!"]
    assert await stored(runtime) == 2  # the question once, the reply once


async def test_a_long_reply_is_split_into_parts_that_fit_in_order(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram
):
    # Escaping makes "<" four characters long: the raw text is split, then escaped.
    paragraphs = [f"Part {n:02}: 2 < 3 & 4 > 1. " + "word " * 150 for n in range(1, 15)]
    runtime.orchestrator.provider = FunctionProvider(lambda _m: "\n\n".join(paragraphs))

    await post(client, text_update(30, "Tell me everything"))
    await runtime.inbox.work.drain(5)

    texts = fake.texts
    assert len(texts) == 3
    assert all(len(text) <= 4096 for text in texts)
    assert all(len(m.raw) > len(m.text) for m in fake.messages)  # escaped on the wire
    assert " ".join("\n\n".join(texts).split()) == " ".join("\n\n".join(paragraphs).split())


async def test_text_with_html_and_markdown_characters_arrives_intact(
    client: httpx.AsyncClient, fake: FakeTelegram
):
    # Asks what the sample documents answer (gratuity), so the model (the echo) replies.
    tricky = "Thanks: <b>5 < 6</b> & *bold* _nice_ [a](b) `code` ~x~ > y! &amp;"

    await post(client, text_update(40, tricky))

    [sent] = await fake.wait_for_messages(1)
    assert sent.text == f"You said: {tricky}"
    assert sent.parse_mode == "HTML"
    assert html.unescape(sent.raw) == sent.text


async def test_a_parse_error_is_resent_as_plain_text(client: httpx.AsyncClient, fake: FakeTelegram):
    fake.reject_entities_next()

    # HTML-breaking characters in a question the sample documents answer (gratuity).
    await post(client, text_update(41, "Is gratuity < 25% & included?"))

    [sent] = await fake.wait_for_messages(1)
    assert sent.parse_mode is None
    assert sent.text == sent.raw == "You said: Is gratuity < 25% & included?"
    assert [c.params.get("parse_mode") for c in fake.calls_to("sendMessage")] == ["HTML", None]


async def test_an_outbound_429_is_waited_out_and_the_message_still_arrives(
    client: httpx.AsyncClient, fake: FakeTelegram
):
    fake.rate_limit_next("sendMessage", retry_after=1)

    await post(client, text_update(50, "Hello?"))

    [sent] = await fake.wait_for_messages(1, within=10)
    assert sent.text == "You said: Hello?"
    assert len(fake.calls_to("sendMessage")) == 2


async def test_start_offers_the_share_phone_keyboard(client: httpx.AsyncClient, fake: FakeTelegram):
    await post(client, text_update(60, "/start@desk_bot"))

    [sent] = await fake.wait_for_messages(1)
    assert sent.text.startswith("Hello Ann Lee!")
    assert "Share your phone number" in sent.text
    assert sent.reply_markup == SHARE_PHONE_KEYBOARD


async def test_sharing_ones_own_contact_links_the_phone_identity(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram
):
    await post(client, text_update(61, "Hi there"))
    response = await post(client, contact_update(62, "15551234567"))

    assert response.status_code == 200
    async with runtime.db.sessions() as session:
        by_phone = await runtime.contacts.find(session, ("phone", "+15551234567"))
        by_telegram = await runtime.contacts.find(session, ("telegram", str(USER_ID)))
    assert by_phone is not None and by_telegram is not None
    assert by_phone.id == by_telegram.id
    messages = await fake.wait_for_messages(2)
    confirmation = next(m for m in messages if "+15551234567" in m.text)
    assert confirmation.reply_markup == {"remove_keyboard": True}


@pytest.mark.parametrize("contact_user_id", [999, None])
async def test_someone_elses_contact_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram, contact_user_id: int | None
):
    await post(client, contact_update(63, "+447700900123", contact_user_id=contact_user_id))

    [sent] = await fake.wait_for_messages(1)
    assert "your own number" in sent.text
    async with runtime.db.sessions() as session:
        assert await runtime.contacts.find(session, ("phone", "+447700900123")) is None


async def test_a_button_press_runs_its_action_as_a_command(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram
):
    response = await post(client, callback_update(70, "help|"))

    assert response.status_code == 200
    [sent] = await fake.wait_for_messages(1)
    assert sent.text.startswith("Here is what I can do:")
    await fake.wait_for_calls("answerCallbackQuery")
    assert fake.calls_to("answerCallbackQuery")[0].params["callback_query_id"] == "cb-70"


async def test_a_photo_gets_told_only_text_is_read_and_is_not_stored(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeTelegram
):
    await post(client, photo_update(80))

    [sent] = await fake.wait_for_messages(1)
    assert "only read text" in sent.text
    assert await stored(runtime) == 0


async def test_an_unknown_command_gets_help(client: httpx.AsyncClient, fake: FakeTelegram):
    await post(client, text_update(90, "/frobnicate now"))

    [sent] = await fake.wait_for_messages(1)
    assert sent.text.startswith("I don't know /frobnicate.")
