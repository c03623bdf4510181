"""A fake Slack on 127.0.0.1: the Web API, ``response_url``s and a Socket Mode WebSocket.

In the manner of slack-bolt's own ``tests/mock_web_api_server``: a real HTTP
server that answers what slack_sdk sends (``auth.test``, ``chat.postMessage``,
``chat.update``, ``chat.postEphemeral``, ``users.info``,
``apps.connections.open``) in Slack's wire format, and records every call.
It can answer a 429 with ``Retry-After``, and tests wait for calls with
`FakeSlack.wait_calls` instead of sleeping.

Inbound requests (signed as Slack signs them) are built in `channels.slack.testing.inbound`.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from channels.testing import Changes, request_params, serve_in_background

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0TEST"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    #: The Web API method (``chat.postMessage``), or ``response_url``.
    method: str
    body: dict[str, Any]
    path: str
    headers: dict[str, str]
    #: What the fake answered: 200, or 429 when it was told to rate-limit.
    status: int = 200
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """The fake's state: users, scripted rate limits, and every call received."""

    def __init__(self) -> None:
        self.url = ""
        self.calls: list[Call] = []
        #: user id → users.info ``user`` object.
        self.users: dict[str, dict[str, Any]] = {}
        #: When True, users.info answers ``missing_scope`` (a token without users:read).
        self.missing_scope = False
        #: Users whose users.info answers this error (``fatal_error``, ``user_not_visible``).
        self.user_errors: dict[str, str] = {}
        #: Users whose users.info answers only after `stall_seconds` (past the bot's timeout).
        self.stalled_users: set[str] = set()
        self.stall_seconds = 3.0
        #: The workspace auth.test names (the bot token's), and whether auth.test fails.
        self.team_id = TEAM_ID
        self.auth_fails = False
        #: Channels the bot is not in: chat.postMessage there answers ``not_in_channel``.
        self.outside: set[str] = set()
        self._rate_limits: dict[str, deque[int]] = defaultdict(deque)
        self._changed = Changes("Slack", lambda: [c.method for c in self.calls])
        self._ts = 0
        self._sockets: list[WebSocket] = []
        self._socket_connected = asyncio.Event()
        self.socket_acks: list[dict[str, Any]] = []

    @property
    def api_url(self) -> str:
        """What ``SLACK_API_BASE_URL`` is set to (slack_sdk wants the trailing slash)."""
        return f"{self.url}/api/"

    def response_url(self, name: str = "") -> str:
        """A ``response_url`` that posts to this fake."""
        return f"{self.url}/response/{name or uuid.uuid4().hex}"

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        email: str | None = None,
        team_id: str = TEAM_ID,
        **flags: Any,
    ) -> None:
        """A person users.info knows; ``email`` is shown as with ``users:read.email``.

        ``team_id`` is their workspace; ``flags`` are users.info's own
        (``is_stranger=True`` for a Slack Connect stranger, ``is_restricted`` /
        ``is_ultra_restricted`` for guests, ``enterprise_user={...}`` on Grid).
        """
        profile: dict[str, Any] = {"display_name": name, "real_name": name, "team": team_id}
        if email:
            profile["email"] = email
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id,
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "is_bot": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "profile": profile,
            **flags,
        }

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self._rate_limits[method].extend([retry_after] * times)

    # -- what was received -------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    @property
    def posted(self) -> list[dict[str, Any]]:
        """The bodies of every ``chat.postMessage`` answered ok (not the 429s)."""
        return [c.body for c in self.calls_to("chat.postMessage") if c.status == 200]

    @property
    def responses(self) -> list[dict[str, Any]]:
        """The bodies posted to ``response_url``s."""
        return [c.body for c in self.calls_to("response_url")]

    async def wait_for(self, predicate: Callable[[], bool], *, within: float = 10.0) -> None:
        """Return once ``predicate()`` holds; fail after ``within`` seconds."""
        await self._changed.until(predicate, within)

    async def wait_calls(
        self, method: str, count: int = 1, *, within: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until ``method`` was called ``count`` times (answered ok); return the bodies."""

        def bodies() -> list[dict[str, Any]]:
            return [c.body for c in self.calls_to(method) if c.status == 200]

        await self.wait_for(lambda: len(bodies()) >= count, within=within)
        return bodies()

    async def _record(self, call: Call) -> None:
        await self._changed.change(lambda: self.calls.append(call))

    # -- Socket Mode -----------------------------------------------------

    async def socket_request(
        self, envelope_type: str, payload: dict[str, Any], *, within: float = 5.0
    ) -> dict[str, Any]:
        """Send an envelope over the Socket Mode WebSocket; return the app's ack."""
        await asyncio.wait_for(self._socket_connected.wait(), within)
        envelope_id = uuid.uuid4().hex
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "accepts_response_payload": envelope_type != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )

        def acked() -> list[dict[str, Any]]:
            return [a for a in self.socket_acks if a.get("envelope_id") == envelope_id]

        await self.wait_for(lambda: bool(acked()), within=within)
        return acked()[0]

    async def _socket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await self._record(Call("socket.connect", {}, websocket.url.path, dict(websocket.headers)))
        self._sockets.append(websocket)
        await websocket.send_json({"type": "hello", "num_connections": 1})
        self._socket_connected.set()
        try:
            while True:
                message = json.loads(await websocket.receive_text())
                await self._changed.change(partial(self.socket_acks.append, message))
        except WebSocketDisconnect:
            self._sockets.remove(websocket)
            if not self._sockets:
                self._socket_connected.clear()

    # -- HTTP --------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        body = await request_params(request)
        retry_after = self._rate_limits[method].popleft() if self._rate_limits[method] else None
        status = 429 if retry_after is not None else 200
        await self._record(
            Call(method, body, request.url.path, dict(request.headers), status=status)
        )
        if retry_after is not None:
            return JSONResponse(
                {"ok": False, "error": "ratelimited"},
                status_code=429,
                headers={"Retry-After": str(retry_after)},
            )
        if method == "users.info" and body.get("user") in self.stalled_users:
            await asyncio.sleep(self.stall_seconds)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        answer = handler(body) if handler else {"ok": False, "error": "unknown_method"}
        return JSONResponse(answer)

    async def _response(self, request: Request) -> Response:
        body = await request_params(request)
        await self._record(Call("response_url", body, request.url.path, dict(request.headers)))
        return PlainTextResponse("ok")

    def _next_ts(self) -> str:
        self._ts += 1
        return f"{1_700_000_000 + self._ts}.{self._ts:06d}"

    def _auth_test(self, _body: dict[str, Any]) -> dict[str, Any]:
        if self.auth_fails:
            return {"ok": False, "error": "fatal_error"}
        return {
            "ok": True,
            "url": "https://fake.slack.test/",
            "team": "Fake team",
            "user": "frontdesk",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if body["channel"] in self.outside:
            return {"ok": False, "error": "not_in_channel"}
        if not body.get("text") and not body.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        message = {"type": "message", "text": body.get("text"), "user": BOT_USER_ID, "ts": ts}
        return {"ok": True, "channel": body["channel"], "ts": ts, "message": message}

    def _chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts"), "text": ""}

    def _chat_postEphemeral(self, _body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.missing_scope:
            return {
                "ok": False,
                "error": "missing_scope",
                "needed": "users:read",
                "provided": "chat:write,commands",
            }
        error = self.user_errors.get(str(body.get("user")))
        if error:
            return {"ok": False, "error": error}
        user = self.users.get(str(body.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _apps_connections_open(self, _body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}

    def app(self) -> Starlette:
        """The Starlette app serving the fake."""
        return Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["GET", "POST"]),
                Route("/response/{name}", self._response, methods=["POST"]),
                WebSocketRoute("/socket", self._socket),
            ]
        )


@asynccontextmanager
async def run_fake_slack() -> AsyncIterator[FakeSlack]:
    """Serve a `FakeSlack` on a free loopback port for the duration of the block."""
    fake = FakeSlack()
    async with serve_in_background(fake.app()) as url:
        fake.url = url
        try:
            yield fake
        finally:
            for websocket in list(fake._sockets):
                await websocket.close()
