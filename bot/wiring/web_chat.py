"""The web chat channel from the settings: its config, its stores and phone verification.

The web chat is on when WEB_CHAT_SECRET is set. Without it the bot does not
make one up: a secret generated at start would differ between processes
(tokens signed by one worker refused by the next) and change at every
restart (every visitor's token void). `/healthz` says why it is off.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from agents.business import BusinessProfile
from bot.settings import Settings
from bot.web.access_log import redact_tokens_in_access_log
from bot.web.mail import SmtpMailer
from bot.web.verification import ContactVerifier
from channels.adapter import ChannelAdapter
from channels.base import Inbox
from channels.web.config import WebChatConfig
from memory.web_admissions import AdmissionStore
from memory.web_events import WebEventStore
from memory.web_verifications import VerificationStore

if TYPE_CHECKING:
    from bot.pipeline.inbox import BotInbox

log = logging.getLogger(__name__)


def web_chat_config(settings: Settings) -> WebChatConfig | str:
    """The web chat's config, or why it is off."""
    if not settings.web_chat_secret:
        return "WEB_CHAT_SECRET is not set"
    return WebChatConfig(
        secret=settings.web_chat_secret,
        origins=settings.web_chat_origin_set(),
        token_max_age_s=settings.web_chat_token_days * 86_400,
        token_limit=settings.web_chat_token_limit,
        address_limit=settings.web_chat_address_limit,
        rate_window_s=settings.web_chat_rate_window_s,
    )


def web_chat_adapter(settings: Settings, inbox: Inbox) -> ChannelAdapter | str:
    """The web chat adapter on the bot's database, or why it is off.

    ``inbox`` is the bot's `BotInbox`: its database backs the event log and the
    rate limits, and its orchestrator's outbox sends the phone codes.
    """
    from bot.pipeline.inbox import BotInbox
    from channels.web.adapter import WebChatAdapter

    config = web_chat_config(settings)
    if isinstance(config, str):
        return config
    if not isinstance(inbox, BotInbox):
        return "the web chat needs the bot's own inbox"
    bot_inbox: BotInbox = inbox
    redact_tokens_in_access_log()  # the stream's URL carries the token
    db = bot_inbox.contacts.db
    limits = AdmissionStore(db)
    verifier = ContactVerifier(
        secret=config.secret,
        inbox=bot_inbox,
        outbox=bot_inbox.orchestrator.outbox,
        codes=VerificationStore(db),
        limits=limits,
        mailer=smtp_mailer(settings),
        business_name=_business_name(settings),
        default_region=settings.phone_default_region,
    )
    return WebChatAdapter(
        config, bot_inbox, events=WebEventStore(db), limits=limits, verifier=verifier
    )


def _business_name(settings: Settings) -> str:
    """The name the code's text gives the business (``us`` when its profile cannot be read)."""
    try:
        return BusinessProfile.from_folder(settings.business_dir).name
    except Exception:  # the runtime reports a bad profile; a code still goes out
        return "us"


def smtp_mailer(settings: Settings) -> SmtpMailer | None:
    """The SMTP server e-mail codes go through; None (phone only) without SMTP_HOST."""
    if not settings.smtp_host:
        return None
    if not settings.smtp_from:
        log.warning("SMTP_HOST is set but SMTP_FROM is not: web chat visitors prove phones only")
        return None
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
