"""Checking a request to ``POST /telegram/webhook``: the secret first, then the update.

The secret (``X-Telegram-Bot-Api-Secret-Token``, set with ``bot telegram
set-webhook``) is compared in constant time before the body is read. A body
that is not an update Telegram could have sent (too big, not JSON, not an
update, of a kind this aiogram does not know) is logged in one line and
dropped. Strings are cleaned (`channels.text.clean_json`: no NUL, no lone
surrogate) before aiogram sees them.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiogram import Bot
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError

from channels.text import clean_json

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: An update carries at most 4,096 characters of text and a few small objects: a body
#: far larger is not Telegram's and is dropped unread.
MAX_BODY_BYTES = 1 << 20


def secret_matches(given: str | None, expected: str | None) -> bool:
    """True when the header carries the configured secret (compared in constant time).

    Header values arrive decoded as Latin-1, so a non-ASCII one is still a
    `str` that encodes; it simply does not match.
    """
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def read_update(body: bytes, bot: Bot) -> Update | None:
    """The body as an aiogram `Update`, its strings cleaned; None (logged) when it is not one."""
    if len(body) > MAX_BODY_BYTES:
        log.warning("Telegram webhook: dropped a body of %d bytes", len(body))
        return None
    try:
        payload = clean_json(json.loads(body))  # invalid UTF-8 is a ValueError too
        update = Update.model_validate(payload, context={"bot": bot})
    except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
        log.warning("Telegram webhook: dropped a body that is not an update: %s", summary(exc))
        return None
    try:
        update.event_type  # noqa: B018 - raises on a kind this aiogram does not know
    except UpdateTypeLookupError:
        # A newer Bot API's kind (we ask only for messages and button presses): nothing to do.
        log.info("Telegram update %s of an unknown kind: ignored", update.update_id)
        return None
    return update


def summary(exc: BaseException) -> str:
    """An exception in one short line: its type and its message's first line."""
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]
