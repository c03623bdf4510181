"""``bot telegram set-webhook URL`` and ``bot telegram delete-webhook``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import click

from bot.errors import BotError, SettingsError
from bot.settings import get_settings
from channels.errors import ChannelError
from channels.telegram.config import TelegramConfig


@click.group()
def telegram() -> None:
    """Tell Telegram where to send the bot's updates."""


def _config(*, needs_secret: bool) -> TelegramConfig:
    settings = get_settings()
    if not settings.telegram_bot_token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set (the token @BotFather gave you)")
    if needs_secret and not settings.telegram_webhook_secret:
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET is not set: choose 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return TelegramConfig(
        bot_token=settings.telegram_bot_token,
        webhook_secret=settings.telegram_webhook_secret,
        api_base_url=settings.telegram_api_base_url,
    )


def _run(work: Coroutine[Any, Any, None]) -> None:
    try:
        asyncio.run(work)
    except ChannelError as exc:  # a refusal by Telegram, or a malformed token
        raise BotError(str(exc)) from None


@telegram.command("set-webhook")
@click.argument("url")
@click.option("--drop-pending", is_flag=True, help="Discard updates Telegram has queued.")
def set_webhook_command(url: str, drop_pending: bool) -> None:
    """Have Telegram POST updates to URL (https://<host>/telegram/webhook) with the secret."""
    config = _config(needs_secret=True)  # before importing aiogram, which takes seconds
    from channels.telegram.client import ALLOWED_UPDATES, set_webhook

    _run(set_webhook(config, url, drop_pending=drop_pending))
    click.echo(f"Telegram will send {', '.join(ALLOWED_UPDATES)} updates to {url}")


@telegram.command("delete-webhook")
@click.option("--drop-pending", is_flag=True, help="Discard updates Telegram has queued.")
def delete_webhook_command(drop_pending: bool) -> None:
    """Stop the webhook (for polling with bot serve --telegram-polling)."""
    config = _config(needs_secret=False)
    from channels.telegram.client import delete_webhook

    _run(delete_webhook(config, drop_pending=drop_pending))
    click.echo("Telegram webhook deleted")
