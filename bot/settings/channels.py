"""The channels' settings: credentials and endpoints of Slack, Telegram, Twilio and the web chat.

A channel whose credentials are not set is off (see /healthz). `bot.settings.Settings`
reads these with the rest.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

from channels.slack.config import SLACK_API_BASE_URL
from channels.sms.config import TWILIO_API_BASE_URL
from channels.telegram.config import TELEGRAM_API_BASE_URL

#: A Slack id: its kind's letter, then capitals and digits.
_SLACK_ID = r"^{}[A-Z0-9]{{2,30}}$"


class ChannelSettings(BaseSettings):
    """Slack, Telegram, SMS (Twilio) and the web chat."""

    slack_bot_token: str | None = Field(None, repr=False, description="xoxb-...")
    slack_signing_secret: str | None = Field(None, repr=False)
    slack_app_token: str | None = Field(None, repr=False, description="xapp-..., Socket Mode.")
    slack_api_base_url: str = Field(SLACK_API_BASE_URL, description="The Slack Web API.")
    slack_ops_channel: str | None = Field(None, description="Alerts and handoffs go here.")
    slack_team_id: str | None = Field(
        None,
        pattern=_SLACK_ID.format("T"),
        description="The workspace (T...) whose requests are accepted and whose members are "
        "the team; unset, the bot token's workspace from auth.test at start.",
    )
    slack_enterprise_id: str | None = Field(
        None, pattern=_SLACK_ID.format("E"), description="Enterprise Grid: the org (E...)."
    )
    slack_app_id: str | None = Field(
        None, pattern=_SLACK_ID.format("A"), description="Checked against api_app_id (A...)."
    )
    telegram_bot_token: str | None = Field(None, repr=False)
    telegram_webhook_secret: str | None = Field(None, repr=False, pattern=r"^[A-Za-z0-9_-]{1,256}$")
    telegram_api_base_url: str = Field(TELEGRAM_API_BASE_URL)
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = Field(None, repr=False)
    twilio_from_number: str | None = Field(None, description="E.164, or use a messaging service.")
    twilio_messaging_service_sid: str | None = None
    twilio_public_url: str | None = Field(None, description="The base URL Twilio calls.")
    twilio_api_base_url: str = Field(TWILIO_API_BASE_URL)
    sms_help_text: str = Field(
        "Reply STOP to opt out. For help, write to us here or call our front desk.",
        max_length=320,
        description="The answer to HELP.",
    )
    web_chat_secret: str | None = Field(
        None,
        repr=False,
        min_length=32,
        description="Signs web chat visitor tokens and hashes phone codes (32+ characters, "
        "e.g. openssl rand -hex 32); unset, the web chat is off.",
    )
    web_chat_origins: str = Field(
        "",
        description="Comma-separated origins (https://shop.example.com) whose pages may use the "
        "web chat; the bot's own /chat page is always allowed.",
    )
    web_chat_token_days: int = Field(
        30, ge=1, le=365, description="Days a web chat visitor token stays valid."
    )
    web_chat_token_limit: int = Field(
        10,
        ge=0,
        description="Messages one web chat visitor may post per WEB_CHAT_RATE_WINDOW_S (429 "
        "past it); 0 turns it off.",
    )
    web_chat_address_limit: int = Field(
        60,
        ge=0,
        description="Web chat requests one client address may make per WEB_CHAT_RATE_WINDOW_S; "
        "0 turns it off.",
    )
    web_chat_rate_window_s: float = Field(
        60.0, gt=0, le=86_400, description="The web chat rate limits' sliding window, in seconds."
    )
    smtp_host: str | None = Field(
        None,
        description="An SMTP server for e-mail (web chat visitors prove an e-mail address "
        "by a code); unset, they prove a phone number only.",
    )
    smtp_port: int = Field(587, ge=1, le=65_535)
    smtp_username: str | None = None
    smtp_password: str | None = Field(None, repr=False)
    smtp_from: str | None = Field(None, description="The sender address; SMTP needs it.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    dev_skip_webhook_verification: bool = Field(
        False, description="Development only: accept unsigned webhooks (warns at start)."
    )
    slack_socket_mode: bool = Field(False, description="Set by bot serve --slack-socket-mode.")
    telegram_polling: bool = Field(False, description="Set by bot serve --telegram-polling.")

    @field_validator("slack_api_base_url")
    @classmethod
    def _slack_base_url(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL: it must end with a slash.
        return value if value.endswith("/") else value + "/"

    def web_chat_origin_set(self) -> frozenset[str]:
        """WEB_CHAT_ORIGINS as a set of origins, without trailing slashes."""
        return frozenset(
            origin.strip().rstrip("/")
            for origin in self.web_chat_origins.split(",")
            if origin.strip()
        )

    @field_validator("web_chat_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in (o.strip() for o in value.split(",")):
            if (origin and not origin.startswith(("https://", "http://"))) or "*" in origin:
                raise ValueError(f"{origin!r} is not an origin such as https://shop.example.com")
        return value

    @field_validator("telegram_api_base_url", "twilio_api_base_url", "twilio_public_url")
    @classmethod
    def _urls_without_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value
