"""`TelegramConfig`: what the Telegram adapter needs, read by the bot from its settings."""

from __future__ import annotations

from dataclasses import dataclass

TELEGRAM_API_BASE_URL = "https://api.telegram.org"


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """The bot's token, the webhook secret and the Bot API server."""

    bot_token: str
    #: Compared with ``X-Telegram-Bot-Api-Secret-Token``; required for webhooks.
    webhook_secret: str | None = None
    #: Another Bot API server (a local ``telegram-bot-api``, tests' fake).
    api_base_url: str = TELEGRAM_API_BASE_URL
    #: Fetch updates with getUpdates instead of a webhook (``bot serve --telegram-polling``).
    polling: bool = False
    verify_requests: bool = True
