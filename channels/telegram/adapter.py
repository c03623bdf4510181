"""`TelegramAdapter`: Telegram wired into the app (aiogram 3).

Updates arrive on ``POST /telegram/webhook`` (checked by `channels.telegram.verify`) or,
for local use, by polling getUpdates; both feed one aiogram `Dispatcher` whose
handlers (`channels.telegram.inbound`) hand messages to the bot's `Inbox`.
Replies go out through `channels.telegram.outbound.TelegramChannel`.

Telegram sends an update again, for up to a day, until it gets a 2xx. So once
the secret has shown the request is Telegram's, every webhook answer is 200
except one: the database out of reach (503), where a later try will succeed.
An update that fails however often it is sent (a poison update) is logged in
one line and dropped, never refused into a retry loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import AiogramError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from channels.adapter import ChannelAdapter
from channels.base import Channel, Inbox
from channels.errors import ChannelError, InboxUnavailableError
from channels.telegram.client import ALLOWED_UPDATES, make_bot
from channels.telegram.config import TelegramConfig
from channels.telegram.inbound import TelegramInbound
from channels.telegram.outbound import TelegramChannel
from channels.telegram.verify import SECRET_HEADER, read_update, secret_matches, summary

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
#: Seconds one getUpdates long poll waits for news (Telegram allows up to 50).
POLLING_TIMEOUT = 10
#: Seconds to wait for polling to stop before cancelling it.
STOP_TIMEOUT = 5.0


class TelegramAdapter(ChannelAdapter):
    """The Telegram channel: webhook or polling in, `TelegramChannel` out."""

    name = "telegram"

    def __init__(self, config: TelegramConfig, inbox: Inbox) -> None:
        self.config = config
        self.bot = make_bot(config)
        self._channel = TelegramChannel(self.bot)
        self.inbound = TelegramInbound(inbox=inbox, channel=self._channel)
        # No FSM: the bot keeps its conversation state in the database, not in aiogram.
        self.dispatcher = Dispatcher(disable_fsm=True)
        self.dispatcher.include_router(self.inbound.router())
        self._polling: asyncio.Task[None] | None = None

    @property
    def channel(self) -> Channel:
        """Where replies go: sendMessage and editMessageText."""
        return self._channel

    def router(self) -> APIRouter:
        """``POST /telegram/webhook`` (mounted in polling mode too; it then refuses all)."""
        return webhook_router(
            bot=self.bot,
            dispatcher=self.dispatcher,
            secret=self.config.webhook_secret,
            verify=self.config.verify_requests,
        )

    async def start(self) -> None:
        """In polling mode: drop the webhook (Telegram refuses getUpdates while one is set)
        and poll in a task."""
        if not self.config.polling or self._polling is not None:
            return
        try:
            await self.bot.delete_webhook()
        except AiogramError as exc:
            raise ChannelError(f"Telegram polling could not start: {exc}") from exc
        self._polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                polling_timeout=POLLING_TIMEOUT,
                # One update after another: each is stored before the next, in order.
                handle_as_tasks=False,
                allowed_updates=list(ALLOWED_UPDATES),
                handle_signals=False,  # uvicorn owns the signals
                close_bot_session=False,  # aclose closes it, polling or not
            ),
            name="telegram polling",
        )
        self._polling.add_done_callback(_report_polling_end)
        log.info("Telegram: polling getUpdates")

    async def aclose(self) -> None:
        """Stop polling, finish the adapter's own short answers, close the HTTP session."""
        if self._polling is not None:
            # Cancelling start_polling would leave aiogram's inner getUpdates loop running
            # (asyncio.wait does not cancel what it waits for): ask it to stop instead.
            with contextlib.suppress(RuntimeError, TimeoutError):  # RuntimeError: not started
                await asyncio.wait_for(self.dispatcher.stop_polling(), STOP_TIMEOUT)
            self._polling.cancel()
            # A polling loop that failed was logged by _report_polling_end.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._polling
            self._polling = None
        await self.inbound.aclose()
        await self.bot.session.close()

    def describe(self) -> dict[str, Any]:
        """``{"mode": "polling"}`` or ``{"mode": "webhook"}`` for /healthz."""
        return {"mode": "polling" if self.config.polling else "webhook"}


def _report_polling_end(task: asyncio.Task[None]) -> None:
    """Log a polling loop that stopped by itself (aiogram retries network errors forever)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("Telegram polling stopped", exc_info=task.exception())


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
        update = read_update(await request.body(), bot)
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
            log.error("Telegram update %s dropped: %s", update.update_id, summary(exc))
            log.debug("Telegram update %s failed", update.update_id, exc_info=True)
        return _ok()

    return router


def _ok() -> JSONResponse:
    return JSONResponse({"ok": True})


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "details": []}, status_code=status)
