"""``POST /telegram/webhook``: the secret checked first, then the update fed to aiogram.

Telegram sends an update again, for up to a day, until it gets a 2xx. So once
the secret has shown the request is Telegram's, every answer is 200 except
one: the database out of reach (503), where a later try will succeed. An
update that is not valid, or that fails however often it is sent (a poison
update), is logged in one line and dropped, never refused into a retry loop.
Strings are cleaned (`channels.text.clean_json`: no NUL, no lone surrogate)
before aiogram sees them.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from channels.errors import InboxUnavailableError
from channels.text import clean_json

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
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


def webhook_router(
    *, bot: Bot, dispatcher: Dispatcher, secret: str | None, verify: bool
) -> APIRouter:
    """The route Telegram POSTs updates to (registered by ``bot telegram set-webhook``).

    A missing or wrong secret gets 401 before the body is read. After that:
    an update handled (stored) gets 200; the database out of reach gets 503,
    so that Telegram sends it again; anything else is logged, dropped, and 200.
    """
    router = APIRouter()

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request) -> JSONResponse:
        if verify and not secret_matches(request.headers.get(SECRET_HEADER), secret):
            log.warning("Telegram webhook: refused a request without the right secret")
            return _error(401, f"missing or wrong {SECRET_HEADER}")
        update = _read_update(await request.body(), bot)
        if update is None:
            return _ok()
        try:
            await dispatcher.feed_update(bot, update)
        except InboxUnavailableError as exc:
            log.warning("Telegram update %s not stored, to be re-sent: %s", update.update_id, exc)
            return _error(503, "the update could not be stored now; Telegram will send it again")
        except Exception as exc:
            # One line: a poison update would otherwise print the same traceback at every
            # re-delivery. The traceback is there for whoever turns DEBUG on.
            log.error("Telegram update %s dropped: %s", update.update_id, _summary(exc))
            log.debug("Telegram update %s failed", update.update_id, exc_info=True)
        return _ok()

    return router


def _read_update(body: bytes, bot: Bot) -> Update | None:
    """The body as an aiogram `Update`, its strings cleaned; None (logged) when it is not one."""
    if len(body) > MAX_BODY_BYTES:
        log.warning("Telegram webhook: dropped a body of %d bytes", len(body))
        return None
    try:
        payload = clean_json(json.loads(body))  # invalid UTF-8 is a ValueError too
        update = Update.model_validate(payload, context={"bot": bot})
    except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
        log.warning("Telegram webhook: dropped a body that is not an update: %s", _summary(exc))
        return None
    try:
        update.event_type  # noqa: B018 - raises on a kind this aiogram does not know
    except UpdateTypeLookupError:
        # A newer Bot API's kind (we ask only for messages and button presses): nothing to do.
        log.info("Telegram update %s of an unknown kind: ignored", update.update_id)
        return None
    return update


def _summary(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]


def _ok() -> JSONResponse:
    return JSONResponse({"ok": True})


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "details": []}, status_code=status)
