"""Telegram polling (``bot serve --telegram-polling``): getUpdates from the fake Bot API
feeds the same handlers as the webhook."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.testing.served import running_runtime
from channels.telegram.testing import FakeTelegram, run_fake_telegram
from memory.db import Database
from tests.support.telegram_updates import USER_ID, text_update


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with run_fake_telegram() as fake:
        yield fake


@pytest.fixture
async def runtime(
    database: Database, model: FunctionProvider, fake: FakeTelegram
) -> AsyncIterator[Runtime]:
    """The bot polling the fake Bot API; no webhook secret is needed."""
    async with running_runtime(
        database,
        model,
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.url,
        telegram_polling=True,
    ) as rt:
        await rt.start_channels()
        yield rt


async def test_polling_delivers_an_update_and_the_reply_is_sent(
    runtime: Runtime, fake: FakeTelegram
):
    assert runtime.channels.adapters["telegram"].describe() == {"mode": "polling"}
    await fake.push_update(text_update(500, "Hello from polling"))
    await fake.push_update(text_update(501, "And again"))

    sent = await fake.wait_for_messages(2)

    assert [(m.chat_id, m.text) for m in sent] == [
        (USER_ID, "You said: Hello from polling"),
        (USER_ID, "You said: And again"),
    ]
    # The webhook was dropped first: Telegram refuses getUpdates while one is set.
    assert fake.calls[0].method == "deleteWebhook"
    polls = fake.calls_to("getUpdates")
    assert polls[0].params["allowed_updates"] == ["message", "callback_query"]
