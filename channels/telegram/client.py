"""The Bot API client (aiogram's `Bot`) and registering the webhook with Telegram."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError
from aiogram.utils.token import TokenValidationError

from channels.errors import ChannelError
from channels.telegram.config import TelegramConfig

#: The updates the bot reads; everything else (edits, reactions...) is not sent to it.
ALLOWED_UPDATES = ("message", "callback_query")


def make_bot(config: TelegramConfig) -> Bot:
    """An aiogram `Bot` talking to ``config.api_base_url`` (Telegram's, or a fake's)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_base_url))
    try:
        return Bot(config.bot_token, session=session)
    except TokenValidationError:
        raise ChannelError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (123456789:AA...; ask @BotFather)"
        ) from None


async def set_webhook(config: TelegramConfig, url: str, *, drop_pending: bool = False) -> None:
    """Ask Telegram to POST updates to ``url``, with ``config.webhook_secret`` in a header."""
    if not config.webhook_secret:
        raise ChannelError("TELEGRAM_WEBHOOK_SECRET is not set: Telegram must send it to us")
    bot = make_bot(config)
    try:
        await bot.set_webhook(
            url,
            secret_token=config.webhook_secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )
    except AiogramError as exc:
        raise ChannelError(f"Telegram refused setWebhook: {_reason(exc)}") from exc
    finally:
        await bot.session.close()


async def delete_webhook(config: TelegramConfig, *, drop_pending: bool = False) -> None:
    """Stop Telegram from POSTing updates (getUpdates works again)."""
    bot = make_bot(config)
    try:
        await bot.delete_webhook(drop_pending_updates=drop_pending)
    except AiogramError as exc:
        raise ChannelError(f"Telegram refused deleteWebhook: {_reason(exc)}") from exc
    finally:
        await bot.session.close()


def _reason(exc: AiogramError) -> str:
    return getattr(exc, "message", None) or str(exc)
