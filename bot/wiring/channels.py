"""Which channels are on, built from the settings.

A channel is on when its credentials are set; otherwise it is off, with the
reason `/healthz` shows. Each adapter gets its own small config (the channel
packages never read the bot's settings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from bot.settings import Settings
from channels.adapter import ChannelAdapter
from channels.base import Inbox
from channels.slack.config import SlackConfig
from channels.sms.config import TwilioConfig
from channels.telegram.config import TelegramConfig

log = logging.getLogger(__name__)


@dataclass
class ChannelSet:
    """The adapters that are on, and why the others are off."""

    adapters: dict[str, ChannelAdapter] = field(default_factory=dict)
    off: dict[str, str] = field(default_factory=dict)


def slack_config(settings: Settings) -> SlackConfig | str:
    """The Slack adapter's config, or why Slack is off."""
    if not settings.slack_bot_token:
        return "SLACK_BOT_TOKEN is not set"
    if settings.slack_socket_mode and not settings.slack_app_token:
        return "Socket Mode needs SLACK_APP_TOKEN (xapp-...)"
    verify = not settings.dev_skip_webhook_verification
    if not settings.slack_socket_mode and verify and not settings.slack_signing_secret:
        return "SLACK_SIGNING_SECRET is not set"
    return SlackConfig(
        bot_token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        app_token=settings.slack_app_token,
        api_base_url=settings.slack_api_base_url,
        socket_mode=settings.slack_socket_mode,
        verify_requests=verify,
        ops_channel=settings.slack_ops_channel,
        team_id=settings.slack_team_id,
        enterprise_id=settings.slack_enterprise_id,
        app_id=settings.slack_app_id,
    )


def telegram_config(settings: Settings) -> TelegramConfig | str:
    """The Telegram adapter's config, or why Telegram is off."""
    if not settings.telegram_bot_token:
        return "TELEGRAM_BOT_TOKEN is not set"
    verify = not settings.dev_skip_webhook_verification
    if not settings.telegram_polling and verify and not settings.telegram_webhook_secret:
        return "TELEGRAM_WEBHOOK_SECRET is not set (or use bot serve --telegram-polling)"
    return TelegramConfig(
        bot_token=settings.telegram_bot_token,
        webhook_secret=settings.telegram_webhook_secret,
        api_base_url=settings.telegram_api_base_url,
        polling=settings.telegram_polling,
        verify_requests=verify,
    )


def twilio_config(settings: Settings) -> TwilioConfig | str:
    """The SMS adapter's config, or why SMS is off."""
    missing = [
        name
        for name, value in (
            ("TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
            ("TWILIO_AUTH_TOKEN", settings.twilio_auth_token),
            ("TWILIO_PUBLIC_URL", settings.twilio_public_url),
        )
        if not value
    ]
    if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
        missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        return f"{', '.join(missing)} not set"
    assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_public_url
    return TwilioConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        public_url=settings.twilio_public_url,
        from_number=settings.twilio_from_number,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        api_base_url=settings.twilio_api_base_url,
        help_text=settings.sms_help_text,
        verify_requests=not settings.dev_skip_webhook_verification,
    )


def _slack(settings: Settings, inbox: Inbox) -> ChannelAdapter | str:
    config = slack_config(settings)
    if isinstance(config, str):
        return config
    from channels.slack.adapter import SlackAdapter  # slack-bolt loads only when Slack is on

    return SlackAdapter(config, inbox)


def _telegram(settings: Settings, inbox: Inbox) -> ChannelAdapter | str:
    config = telegram_config(settings)
    if isinstance(config, str):
        return config
    from channels.telegram.adapter import TelegramAdapter

    return TelegramAdapter(config, inbox)


def _sms(settings: Settings, inbox: Inbox) -> ChannelAdapter | str:
    config = twilio_config(settings)
    if isinstance(config, str):
        return config
    from channels.sms.adapter import SmsAdapter

    return SmsAdapter(config, inbox)


def _web(settings: Settings, inbox: Inbox) -> ChannelAdapter | str:
    from bot.wiring.web_chat import web_chat_adapter

    return web_chat_adapter(settings, inbox)


BUILDERS: dict[str, Callable[[Settings, Inbox], ChannelAdapter | str]] = {
    "slack": _slack,
    "telegram": _telegram,
    "sms": _sms,
    "web": _web,
}


def build_channels(settings: Settings, inbox: Inbox, *, skip: Collection[str] = ()) -> ChannelSet:
    """Every channel whose credentials are set; ``skip`` names channels injected instead."""
    if settings.dev_skip_webhook_verification:
        log.warning(
            "DEV_SKIP_WEBHOOK_VERIFICATION is on: webhooks are accepted WITHOUT checking "
            "signatures or secrets. Never use this where the bot is reachable from outside."
        )
    built = ChannelSet()
    for name, build in BUILDERS.items():
        if name in skip:
            continue
        adapter = build(settings, inbox)
        if isinstance(adapter, str):
            built.off[name] = adapter
        else:
            built.adapters[name] = adapter
    return built
