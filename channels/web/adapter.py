"""`WebChatAdapter`: the web chat wired into the app.

Routes (all under the app, mounted when WEB_CHAT_SECRET is set):
``POST /web/v1/session``, ``POST /web/v1/messages``, ``GET /web/v1/stream``,
``POST /web/v1/verify``, ``POST /web/v1/verify/confirm`` (each with its CORS
preflight), ``GET /web/widget.js`` and the demo page ``GET /chat``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from channels.adapter import ChannelAdapter
from channels.base import Inbox
from channels.web import assets
from channels.web.config import WebChatConfig
from channels.web.gate import WebGate
from channels.web.inbound import WebInbound
from channels.web.outbound import WebChannel
from channels.web.services import RateLimits, Verifier, WebEventLog
from channels.web.stream import WebStream

API = "/web/v1"


class WebChatAdapter(ChannelAdapter):
    """The widget's API in, `WebChannel` out."""

    name = "web"

    def __init__(
        self,
        config: WebChatConfig,
        inbox: Inbox,
        *,
        events: WebEventLog,
        limits: RateLimits,
        verifier: Verifier | None = None,
    ) -> None:
        """``verifier`` proves phone numbers (None: the SMS channel is off, no verification)."""
        self.config = config
        self.gate = WebGate(config)
        self.events = events
        self.inbound = WebInbound(
            self.gate, inbox=inbox, events=events, limits=limits, verifier=verifier
        )
        self.streams = WebStream(self.gate, events=events)
        self._channel = WebChannel(events)

    @property
    def channel(self) -> WebChannel:
        """Where replies go out: the visitor's stream."""
        return self._channel

    def router(self) -> APIRouter:
        """The widget's API, its script and the demo page."""
        router = APIRouter(tags=["web chat"])
        posts = {
            f"{API}/session": self.inbound.session,
            f"{API}/messages": self.inbound.message,
            f"{API}/verify": self.inbound.verify,
            f"{API}/verify/confirm": self.inbound.confirm,
        }
        for path, endpoint in posts.items():
            router.add_api_route(path, endpoint, methods=["POST"], include_in_schema=False)
            router.add_api_route(path, self.preflight, methods=["OPTIONS"], include_in_schema=False)
        stream = f"{API}/stream"
        router.add_api_route(stream, self.streams.stream, methods=["GET"], include_in_schema=False)
        router.add_api_route(stream, self.preflight, methods=["OPTIONS"], include_in_schema=False)
        router.add_api_route(
            assets.WIDGET_PATH, assets.widget, methods=["GET"], include_in_schema=False
        )
        router.add_api_route(
            assets.DEMO_PATH, assets.demo_page, methods=["GET"], include_in_schema=False
        )
        return router

    async def preflight(self, request: Request) -> Response:
        """A CORS preflight: allowed origins only."""
        return self.gate.preflight(request)

    async def aclose(self) -> None:
        """Stop listening for new events."""
        closer = getattr(self.events, "aclose", None)
        if closer is not None:
            await closer()

    def describe(self) -> dict[str, Any]:
        """Server-Sent Events, and the origins allowed besides the bot's own."""
        return {"mode": "sse", "origins": sorted(self.config.origins)}
