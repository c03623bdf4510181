"""``GET /web/v1/stream?token=...``: a visitor's conversation as Server-Sent Events.

``EventSource`` cannot send headers, so the token is in the query string (the
access log hides it: `channels.web.verify.redact_token`). Each event carries
its id; a reconnecting ``EventSource`` sends the last one it saw as
``Last-Event-ID`` and the stream goes on after it, so nothing written while
it was away is lost, whichever process wrote it. A page loaded afresh passes
``after`` (0: the conversation of the last day from the start).

A stream ends after `WebChatConfig.stream_max_s` (the widget reconnects at
once, ``retry: 1000``): a stopping server then waits that long at most.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from channels.web.gate import WebGate, WebRefused
from channels.web.inbound import conversation_key
from channels.web.services import WebEvent, WebEventLog

log = logging.getLogger(__name__)

#: Events read per query; a long backlog comes in several.
BATCH = 100
#: A comment line every so often keeps proxies from closing an idle stream.
KEEPALIVE_S = 15.0


def sse(event: WebEvent) -> str:
    """One event on the wire: its id, its kind and its JSON data."""
    data = json.dumps({"text": event.text, **event.meta}, ensure_ascii=False)
    return f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n"


class WebStream:
    """Serves visitors' streams from the event log."""

    def __init__(self, gate: WebGate, *, events: WebEventLog) -> None:
        self.gate = gate
        self.events = events

    async def stream(self, request: Request) -> Response:
        """The visitor's events after ``Last-Event-ID`` (or ``after``), then live ones."""
        try:
            # EventSource sends Origin on cross-site requests only: same-site ones pass.
            self.gate.check_origin(request, required=False)
            visitor = self.gate.visitor(request.query_params.get("token"))
            after = _after(request)
        except WebRefused as exc:
            return self.gate.refusal(request, exc)
        response = StreamingResponse(
            self._events(request, conversation_key(visitor), after),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        return self.gate.cors(request, response)

    async def _events(self, request: Request, key: str, after: int) -> AsyncIterator[str]:
        try:
            async for chunk in self._read(request, key, after):
                yield chunk
        except Exception as exc:  # the database went away: end; EventSource comes back
            log.warning("web chat stream ended early: %s", exc)

    async def _read(self, request: Request, key: str, after: int) -> AsyncIterator[str]:
        config = self.gate.config
        started = last_sent = time.monotonic()
        yield "retry: 1000\n\n"
        while time.monotonic() - started < config.stream_max_s:
            batch = await self.events.after(key, after, limit=BATCH)
            for event in batch:
                yield sse(event)
                after = event.id
            if batch:
                last_sent = time.monotonic()
                if len(batch) == BATCH:
                    continue
            elif time.monotonic() - last_sent > KEEPALIVE_S:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            if await request.is_disconnected():
                return
            await self.events.wait(key)


def _after(request: Request) -> int:
    """Where the stream starts: ``Last-Event-ID`` (a reconnect) wins over ``after``."""
    given = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    if not given.isdigit() or len(given) > 18:
        raise WebRefused(400, "Last-Event-ID (or after) must be an event id")
    return int(given)
