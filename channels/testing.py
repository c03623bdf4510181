"""Test doubles that ship with the channels, as httpx ships ``MockTransport``.

`RecordingChannel` stands in for any channel and keeps what it was asked to
send. `serve_in_background` serves an ASGI app on loopback inside the current
event loop: the fake vendor servers of ``channels.<name>.testing`` run on it,
and tests and benchmarks that want real HTTP without another process use it.
`Changes` is what tests wait on in every fake, instead of sleeping, and
`request_params` how the fakes read what the SDKs send.
Nothing at run time imports this module or the channels' ``testing`` modules.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.requests import Request

from channels.base import Channel, OutgoingMessage


@asynccontextmanager
async def serve_in_background(app: Any, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run ``app`` under uvicorn on a free port; yield its base URL; stop it after.

    uvicorn's own ``serve()`` installs signal handlers and polls for shutdown
    every 0.1 s; calling its public startup and shutdown steps directly avoids
    both, halving what each test that starts a server waits.
    """
    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="on")
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    if server.should_exit:  # startup failed (port, lifespan); uvicorn has logged why
        raise RuntimeError(f"uvicorn could not start {app!r}")
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{host}:{port}"
    finally:
        await server.shutdown()


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message a `RecordingChannel` was asked to send or update."""

    conversation_key: str
    message: OutgoingMessage
    sent_id: str
    updated: bool = False


class RecordingChannel(Channel):
    """A channel that keeps what it was asked to send: the test double for any channel."""

    def __init__(self, name: str = "recording", *, max_text_length: int = 4000) -> None:
        self.name = name
        self.max_text_length = max_text_length
        self.sent: list[SentMessage] = []

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        sent_id = f"{self.name}-{len(self.sent) + 1}"
        self.sent.append(SentMessage(conversation_key, message, sent_id))
        return sent_id

    async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage) -> str:
        self.sent.append(SentMessage(conversation_key, message, sent_id, updated=True))
        return sent_id

    @property
    def texts(self) -> list[str]:
        """The text of every message sent, in order."""
        return [s.message.text for s in self.sent]


class Changes:
    """A fake vendor's state changes, made under one lock and awaited with a deadline.

    The fakes record calls and queue updates through `change`; tests wait for
    them with `until`, so no test sleeps for a guessed time.
    """

    def __init__(self, vendor: str, seen: Callable[[], object] = lambda: "") -> None:
        self.vendor = vendor
        #: What the fake has received so far, named in a timeout's message.
        self.seen = seen
        self._condition = asyncio.Condition()

    async def change(self, apply: Callable[[], object] = lambda: None) -> None:
        """Apply ``apply`` (a list append, say) and wake every waiter."""
        async with self._condition:
            apply()
            self._condition.notify_all()

    async def until(self, predicate: Callable[[], bool], within: float, what: str = "") -> None:
        """Return once ``predicate()`` holds; `TimeoutError` after ``within`` seconds."""
        try:
            async with asyncio.timeout(within), self._condition:
                await self._condition.wait_for(predicate)
        except TimeoutError:
            raise TimeoutError(
                f"fake {self.vendor}: no {what or 'change'} within {within} s; got {self.seen()}"
            ) from None


async def request_params(request: Request) -> dict[str, Any]:
    """A request's parameters: its query string, then its JSON, multipart or urlencoded body.

    The vendors' SDKs each use some of these (slack_sdk all but multipart, aiogram
    urlencoded and multipart); a fake reads them all alike.
    """
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        parsed = message_from_bytes(f"Content-Type: {kind}\r\n\r\n".encode() + body, policy=HTTP)
        params.update(
            (str(part.get_param("name", header="content-disposition")), part.get_content())
            for part in parsed.iter_parts()
        )
    elif kind.startswith("application/json"):
        params.update(json.loads(body))
    elif body:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params
