"""The bot with the web chat and SMS on, served over HTTP, and a client that speaks its API.

`read_events` reads the stream as a browser's ``EventSource`` would (``id``,
``event``, ``data`` lines, a blank line ending each event).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.testing.sms_bot import SmsBot, running_sms_bot
from memory.db import Database

SECRET = "test-web-chat-secret-0123456789abcdef"
ORIGIN = "https://shop.example.test"


@dataclass
class StreamEvent:
    """One Server-Sent Event as the browser sees it."""

    id: int
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.data.get("text", ""))


@dataclass
class WebBot:
    """The served bot (with its fake Twilio) and web chat calls as the widget makes them."""

    sms: SmsBot

    @property
    def http(self) -> httpx.AsyncClient:
        return self.sms.http

    async def session(self, *, origin: str = ORIGIN) -> str:
        """A new visitor's token."""
        answer = await self.http.post("/web/v1/session", headers={"Origin": origin})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    async def send(
        self, token: str, text: str, *, message_id: str | None = None, origin: str = ORIGIN
    ) -> httpx.Response:
        """POST a message as the widget does."""
        body: dict[str, Any] = {"text": text}
        if message_id is not None:
            body["id"] = message_id
        headers = {"Origin": origin, "Authorization": f"Bearer {token}"}
        return await self.http.post("/web/v1/messages", json=body, headers=headers)

    async def post(self, path: str, token: str | None, body: dict[str, Any]) -> httpx.Response:
        """POST ``body`` to a web chat path with the allowed origin and ``token``."""
        headers = {"Origin": ORIGIN}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(path, json=body, headers=headers)

    async def read_events(
        self,
        token: str,
        count: int | None = None,
        *,
        until: Callable[[StreamEvent], bool] | None = None,
        after: int | None = None,
        last_event_id: int | None = None,
        seconds: float = 15.0,
    ) -> list[StreamEvent]:
        """The visitor's stream's events: the first ``count``, or up to one ``until`` accepts."""
        params = {"token": token}
        if after is not None:
            params["after"] = str(after)
        headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
        events: list[StreamEvent] = []
        async with (
            asyncio.timeout(seconds),
            self.http.stream("GET", "/web/v1/stream", params=params, headers=headers) as answer,
        ):
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            current: dict[str, str] = {}
            async for line in answer.aiter_lines():
                if line.startswith(":"):
                    continue
                if line:
                    name, _, value = line.partition(":")
                    current[name] = value.removeprefix(" ")
                    continue
                if "data" in current and "id" in current:
                    events.append(
                        StreamEvent(
                            int(current["id"]),
                            current.get("event", "message"),
                            json.loads(current["data"]),
                        )
                    )
                    if (count is not None and len(events) >= count) or (
                        until is not None and until(events[-1])
                    ):
                        break
                current = {}
        return events

    async def visitor(self) -> Visitor:
        """A new visitor."""
        return Visitor(self, await self.session())

    async def reply(self, token: str, *, after: int = 0) -> list[StreamEvent]:
        """The events after ``after`` up to the end of the bot's next reply."""
        return await self.read_events(token, until=ends_reply, after=after)


@dataclass
class Visitor:
    """One visitor's conversation, read from their stream reply by reply."""

    bot: WebBot
    token: str
    #: The last event read: the next reply is after it.
    seen: int = 0

    async def ask(self, text: str) -> str:
        """Send ``text``; the bot's whole reply as the widget shows it."""
        sent = await self.bot.send(self.token, text)
        assert sent.status_code == 202, sent.text
        events = await self.bot.read_events(self.token, until=ends_reply, after=self.seen)
        self.seen = events[-1].id
        return " ".join(e.text for e in events if e.kind == "sentence" and e.text)

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """POST ``body`` to a web chat path as this visitor."""
        return await self.bot.post(path, self.token, body)


def ends_reply(event: StreamEvent) -> bool:
    """Whether ``event`` is the last sentence of a reply."""
    return event.kind == "sentence" and bool(event.data.get("last"))


@asynccontextmanager
async def running_web_bot(database: Database, **overrides: object) -> AsyncIterator[WebBot]:
    """Serve the bot with the web chat (and SMS, to a fake Twilio) on ``database``."""
    settings: dict[str, object] = {
        "web_chat_secret": SECRET,
        "web_chat_origins": ORIGIN,
        "router_embeddings": False,
        "router_min_confidence": 0.0,
        **overrides,
    }
    async with running_sms_bot(database, **settings) as sms:
        yield WebBot(sms)
