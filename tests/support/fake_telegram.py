"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that aiogram talks to.

It serves ``/bot<token>/<method>`` with Telegram's envelope (``{"ok": true,
"result": ...}`` or ``{"ok": false, "error_code", "description", "parameters"}``),
reads the form-encoded (or multipart) bodies aiogram's `AiohttpSession` posts,
and checks what Telegram checks: HTML entities (an unescaped ``<`` or ``&``
is "can't parse entities") and 4,096 characters after parsing. It records
every call; tests script one-off failures (429, a parse error) and await
"N messages sent" without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.http.background_server import serve_in_background

TOKEN = "123456789:AAFakeTelegramTokenForTests_0123456"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Front desk", "username": "desk_bot"}
MAX_TEXT = 4096
_JSON_FIELDS = {"reply_markup", "allowed_updates", "entities", "reply_parameters"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time"}
_TAG = re.compile(r"<(/?)([a-z-]+)(\s[^<>]*)?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);", re.IGNORECASE)
_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
_TAGS |= {"code", "pre", "blockquote", "tg-emoji"}


class ApiError(Exception):
    """An error answer of the fake, in Telegram's words."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


@dataclass(frozen=True)
class ApiCall:
    """One request the fake received: the method and its decoded parameters."""

    method: str
    params: dict[str, Any]


@dataclass
class SentMessage:
    """A message the bot sent (and may have edited since)."""

    chat_id: int
    message_id: int
    #: What the reader sees: entities parsed, HTML unescaped.
    text: str
    #: As the bot sent it, and how it asked for it to be parsed.
    raw: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    edits: int = 0


def visible_text(raw: str, parse_mode: str | None) -> str:
    """What Telegram shows for ``raw``; `ApiError` where Telegram's parser gives up."""
    if parse_mode is None or parse_mode.upper() != "HTML":
        return raw
    shown, at = [], 0
    while at < len(raw):
        char = raw[at]
        if char == "<":
            tag = _TAG.match(raw, at)
            if tag is None or tag.group(2).lower() not in _TAGS:
                name = tag.group(2) if tag else raw[at + 1 : at + 8]
                raise ApiError(
                    400,
                    f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" '
                    f"at byte offset {len(raw[:at].encode())}",
                )
            at = tag.end()
        elif char == "&":
            entity = _ENTITY.match(raw, at)
            if entity is None:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Character entity expected "
                    f"at byte offset {len(raw[:at].encode())}",
                )
            shown.append(html.unescape(entity.group(0)))
            at = entity.end()
        else:
            shown.append(char)
            at += 1
    return "".join(shown)


def _decode(params: dict[str, str]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in _JSON_FIELDS:
            decoded[key] = json.loads(value)
        elif key in _INT_FIELDS:
            decoded[key] = int(value)
        else:
            decoded[key] = value
    return decoded


async def _form(request: Request) -> dict[str, str]:
    """The fields of a urlencoded, multipart or JSON body (aiogram sends the first two)."""
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        parsed = message_from_bytes(f"Content-Type: {kind}\r\n\r\n".encode() + body, policy=HTTP)
        return {
            str(part.get_param("name", header="content-disposition")): part.get_content()
            for part in parsed.iter_parts()  # type: ignore[attr-defined]
        }
    if kind.startswith("application/json"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


class FakeTelegram:
    """The fake's state: calls received, messages sent, scripted failures, pending updates."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.url = ""
        self.calls: list[ApiCall] = []
        self.messages: list[SentMessage] = []
        self.updates: deque[dict[str, Any]] = deque()
        self._failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._released = asyncio.Event()
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda _p: BOT_USER,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "answerCallbackQuery": lambda _p: True,
            "setWebhook": lambda _p: True,
            "deleteWebhook": lambda _p: True,
        }

    # Scripting -----------------------------------------------------------------------------

    def fail_next(self, method: str, status: int, description: str, **kw: Any) -> None:
        """Answer the next call of ``method`` with this error (``retry_after=`` for a 429)."""
        self._failures[method].append(ApiError(status, description, **kw))

    def rate_limit_next(self, method: str = "sendMessage", retry_after: int = 1) -> None:
        """Answer the next call with 429 and ``parameters.retry_after``."""
        self.fail_next(method, 429, f"Too Many Requests: retry after {retry_after}",
                       retry_after=retry_after)  # fmt: skip

    def reject_entities_next(self, method: str = "sendMessage") -> None:
        """Answer the next call with Telegram's "can't parse entities" 400."""
        self.fail_next(method, 400, "Bad Request: can't parse entities: Unsupported start tag")

    async def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling)."""
        self.updates.append(update)
        await self._notify()

    # Reading -------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of ``method``, in order (failed ones included)."""
        return [call for call in self.calls if call.method == method]

    @property
    def texts(self) -> list[str]:
        """The visible text of every message sent, in order."""
        return [m.text for m in self.messages]

    async def wait_for_messages(self, count: int, within: float = 5.0) -> list[SentMessage]:
        """Wait until ``count`` messages were sent; return them all."""
        await self._wait(lambda: len(self.messages) >= count, within, f"{count} message(s)")
        return list(self.messages)

    async def wait_for_calls(self, method: str, count: int = 1, within: float = 5.0) -> None:
        """Wait until ``method`` was called ``count`` times."""
        await self._wait(lambda: len(self.calls_to(method)) >= count, within, f"{method}")

    async def _wait(self, done: Callable[[], bool], within: float, what: str) -> None:
        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(done)
        except TimeoutError:
            sent = [c.method for c in self.calls]
            raise AssertionError(
                f"fake Telegram: no {what} within {within} s; got {sent}"
            ) from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # The Bot API ---------------------------------------------------------------------------

    def app(self) -> Starlette:
        """The ASGI app serving ``/bot<token>/<method>``."""
        return Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST", "GET"])]
        )

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = _decode(await _form(request))
        self.calls.append(ApiCall(method, params))
        try:
            if request.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if self._failures[method]:
                raise self._failures[method].popleft()
            if method == "getUpdates":
                result = await self._get_updates(params)
            elif method in self._handlers:
                result = self._handlers[method](params)
            else:
                raise ApiError(404, "Not Found")
        except ApiError as exc:
            body: dict[str, Any] = {"ok": False, "error_code": exc.status}
            body["description"] = exc.description
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return JSONResponse(body, status_code=exc.status)
        finally:
            await self._notify()
        return JSONResponse({"ok": True, "result": result})

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        raw, mode = params.get("text", ""), params.get("parse_mode")
        text = visible_text(raw, mode)
        _check_length(text)
        chat_id = params["chat_id"]
        message = SentMessage(
            chat_id, len(self.messages) + 1, text, raw, mode, params.get("reply_markup")
        )
        self.messages.append(message)
        return _message_json(message)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        found = [
            m
            for m in self.messages
            if m.chat_id == params.get("chat_id") and m.message_id == params.get("message_id")
        ]
        if not found:
            raise ApiError(400, "Bad Request: message to edit not found")
        message, mode = found[0], params.get("parse_mode")
        text = visible_text(params.get("text", ""), mode)
        _check_length(text)
        markup = params.get("reply_markup")
        if text == message.text and markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                           "content and reply markup are exactly the same")  # fmt: skip
        message.text, message.raw, message.parse_mode = text, params["text"], mode
        message.reply_markup, message.edits = markup, message.edits + 1
        return _message_json(message)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset", 0)
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()  # confirmed by the offset
        if not self.updates:
            # A long poll: wait for an update, the poll's timeout, or the fake's shutdown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(params.get("timeout", 0)), self._changed:
                    await self._changed.wait_for(
                        lambda: bool(self.updates) or self._released.is_set()
                    )
        return list(self.updates)[: params.get("limit", 100)]


def _check_length(text: str) -> None:
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")


def _message_json(message: SentMessage) -> dict[str, Any]:
    chat_type = "private" if message.chat_id > 0 else "supergroup"
    return {
        "message_id": message.message_id,
        "date": int(time.time()),
        "chat": {"id": message.chat_id, "type": chat_type, "title": "group"},
        "from": BOT_USER,
        "text": message.text,
    }


@asynccontextmanager
async def run_fake_telegram(token: str = TOKEN) -> AsyncIterator[FakeTelegram]:
    """Serve a `FakeTelegram` on a free loopback port; its ``url`` is the API base URL."""
    fake = FakeTelegram(token)
    async with serve_in_background(fake.app()) as url:
        fake.url = url
        try:
            yield fake
        finally:
            fake._released.set()  # let a pending long poll answer, so the server can stop
            await fake._notify()
