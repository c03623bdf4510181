"""`TelegramChannel`: sending and editing messages through the Bot API (aiogram).

A sent message's id is ``<chat id>:<message id>``, which is what
editMessageText needs to find it again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import Message, ReplyKeyboardRemove

from channels.base import Channel, OutgoingMessage
from channels.errors import ChannelSendError
from channels.rate_limits import waiting_out_rate_limits
from channels.telegram.render import MAX_TEXT_LENGTH, Markup, Part, render, render_edit

log = logging.getLogger(__name__)

#: What Telegram says when the HTML it was given is not valid HTML for it.
_PARSE_ERROR = "can't parse entities"
#: What Telegram says when an edit changes nothing; the message is as wanted.
_NOT_MODIFIED = "message is not modified"
#: What Telegram says when the message to edit is gone (deleted, too old).
_EDIT_GONE = ("message to edit not found", "message can't be edited")


def _retry_after(exc: BaseException) -> float | None:
    # aiogram turns a 429's ``parameters.retry_after`` into this exception.
    return float(exc.retry_after) if isinstance(exc, TelegramRetryAfter) else None


def _status(exc: AiogramError) -> int | None:
    for kind, status in (
        (TelegramBadRequest, 400),
        (TelegramUnauthorizedError, 401),
        (TelegramForbiddenError, 403),
        (TelegramNotFound, 404),
        (TelegramRetryAfter, 429),
        (TelegramServerError, 500),
    ):
        if isinstance(exc, kind):
            return status
    return None


def sent_id_of(message: Message) -> str:
    """The id `TelegramChannel` returns for a sent message."""
    return f"{message.chat.id}:{message.message_id}"


def parse_sent_id(sent_id: str) -> tuple[int, int] | None:
    """The chat id and message id in ``sent_id``, or None if it is not one of ours."""
    chat, _, message = sent_id.rpartition(":")
    try:
        return int(chat), int(message)
    except ValueError:
        return None


class TelegramChannel(Channel):
    """Telegram as a place the bot speaks: HTML-escaped text, split at 4,096 characters."""

    name = "telegram"
    max_text_length = MAX_TEXT_LENGTH

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        """Send ``message`` to chat ``conversation_key``; return the last part's id."""
        chat_id = self._chat_id(conversation_key)
        sent_id = ""
        for part in render(message, limit=self.max_text_length):
            sent_id = await self.send_part(chat_id, part)
        return sent_id

    async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage) -> str:
        """Edit the sent message in place (shortened to one message); send anew if it is gone."""
        ids = parse_sent_id(sent_id)
        if ids is None:
            return await self.send(conversation_key, message)
        chat_id, message_id = ids
        part = render_edit(message, limit=self.max_text_length)

        async def edit(**formatting: Any) -> Any:
            return await self.bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=part.markup,  # type: ignore[arg-type]  # inline only, by render_edit
                **formatting,
            )

        try:
            await self._with_fallback(part, edit)
        except ChannelSendError as exc:
            reason = str(exc).lower()
            if _NOT_MODIFIED in reason:
                return sent_id
            if any(gone in reason for gone in _EDIT_GONE):
                return await self.send(conversation_key, message)
            raise
        return sent_id

    async def send_part(self, chat_id: int, part: Part) -> str:
        """Send one rendered message; return its id."""

        async def send(**formatting: Any) -> Message:
            return await self.bot.send_message(
                chat_id=chat_id, reply_markup=part.markup, **formatting
            )

        return sent_id_of(await self._with_fallback(part, send))

    async def send_text(
        self, chat_id: int, text: str, *, markup: Markup | ReplyKeyboardRemove | None = None
    ) -> str:
        """Send plain ``text`` with an optional keyboard (or keyboard removal)."""
        sent = await self.call(
            lambda: self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        )
        return sent_id_of(sent)

    async def _with_fallback(self, part: Part, call: Callable[..., Awaitable[Any]]) -> Any:
        """``call`` with the HTML text; again with the plain text if Telegram cannot parse it."""
        try:
            return await self.call(lambda: call(text=part.html, parse_mode="HTML"))
        except ChannelSendError as exc:
            if _PARSE_ERROR not in str(exc):
                raise
            log.warning("Telegram could not parse our HTML (%s); sending plain text", exc)
            return await self.call(lambda: call(text=part.plain, parse_mode=None))

    async def call(self, request: Callable[[], Awaitable[Any]]) -> Any:
        """``request``, with 429s waited out and aiogram's errors translated."""
        try:
            return await waiting_out_rate_limits(request, retry_after=_retry_after)
        except AiogramError as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise ChannelSendError(
                f"Telegram refused: {message}", channel=self.name, status=_status(exc)
            ) from exc

    def _chat_id(self, conversation_key: str) -> int:
        try:
            return int(conversation_key)
        except ValueError:
            raise ChannelSendError(
                f"not a Telegram chat id: {conversation_key!r}", channel=self.name
            ) from None
