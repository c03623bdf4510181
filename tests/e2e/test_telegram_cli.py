"""``bot telegram set-webhook`` / ``delete-webhook`` as a user runs them, against the fake
Bot API (the subprocess talks to it over loopback while the test's event loop serves it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.telegram.testing import FakeTelegram, run_fake_telegram
from tests.support.cli import bot_env, run_bot

SECRET = "cli_secret-123"
URL = "https://example.test/telegram/webhook"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with run_fake_telegram() as fake:
        yield fake


def telegram_env(tmp_path: Path, fake: FakeTelegram, **settings: str) -> dict[str, str]:
    """A clean environment with Telegram set up; a setting given as "" is left out."""
    telegram = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": fake.url,
        **settings,
    }
    env = {k: v for k, v in bot_env(tmp_path).items() if not k.startswith("TELEGRAM_")}
    return {**env, **{name: value for name, value in telegram.items() if value}}


async def bot(args: list[str], env: dict[str, str], cwd: Path):
    # In a thread: the fake answers on this test's event loop, which must keep running.
    return await asyncio.to_thread(run_bot, args, env, cwd, timeout=60)


async def test_set_webhook_registers_the_url_with_the_secret(tmp_path: Path, fake: FakeTelegram):
    result = await bot(["telegram", "set-webhook", URL], telegram_env(tmp_path, fake), tmp_path)

    assert result.returncode == 0, result.stderr
    assert URL in result.stdout
    [call] = fake.calls_to("setWebhook")
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]


async def test_a_refusal_by_telegram_is_one_line_and_exit_2(tmp_path: Path, fake: FakeTelegram):
    fake.fail_next("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided")

    result = await bot(
        ["telegram", "set-webhook", "http://example.test/x"], telegram_env(tmp_path, fake), tmp_path
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: Telegram refused setWebhook: Bad Request: bad webhook: HTTPS url must be provided"
    ]


@pytest.mark.parametrize("missing", ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"])
async def test_a_missing_setting_is_named_and_nothing_is_called(
    tmp_path: Path, fake: FakeTelegram, missing: str
):
    env = telegram_env(tmp_path, fake, **{missing: ""})

    result = await bot(["telegram", "set-webhook", URL], env, tmp_path)

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {missing} is not set")
    assert fake.calls == []
