"""``POST /telegram/webhook``: the secret checked first, then the update fed to aiogram."""

from __future__ import annotations

import hmac
import json
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_matches(given: str | None, expected: str | None) -> bool:
    """True when the header carries the configured secret (compared in constant time)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def webhook_router(
    *, bot: Bot, dispatcher: Dispatcher, secret: str | None, verify: bool
) -> APIRouter:
    """The route Telegram POSTs updates to (registered by ``bot telegram set-webhook``).

    A missing or wrong secret gets 401 before the body is read; a body that is
    not an Update gets 400; an accepted update is handled (stored) before the
    200, and an error while storing gets 500 so that Telegram sends it again.
    """
    router = APIRouter()

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request) -> JSONResponse:
        if verify and not secret_matches(request.headers.get(SECRET_HEADER), secret):
            return _error(401, f"missing or wrong {SECRET_HEADER}")
        try:
            payload = json.loads(await request.body())
            update = Update.model_validate(payload, context={"bot": bot})
        except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
            log.info("Telegram webhook: not an update: %s", str(exc).splitlines()[0])
            return _error(400, "the body is not a Telegram Update")
        try:
            await dispatcher.feed_update(bot, update)
        except Exception:
            log.exception("Telegram update %s could not be handled", update.update_id)
            return _error(500, "the update could not be handled; Telegram will send it again")
        return JSONResponse({"ok": True})

    return router


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "details": []}, status_code=status)
