"""`WebGate`: what every web chat route shares: origin check and CORS, token, errors, bodies.

Browsers send ``Origin`` with every cross-site request and with same-site
POSTs; a POST without one, or from an origin not in WEB_CHAT_ORIGINS (nor
the bot's own), is refused with 403 before anything is read. Allowed
origins get CORS headers naming them (never ``*``); no credentials are
involved (the token is sent by the widget, not a cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from channels.web.config import WebChatConfig
from channels.web.verify import VisitorTokens, bearer_token, origin_allowed

log = logging.getLogger(__name__)

#: The largest JSON body a web chat route reads; a message is at most a few KB.
MAX_BODY_BYTES = 16_384


class WebRefused(Exception):
    """A web chat request refused: an HTTP status and why, for the JSON error body."""

    def __init__(self, status: int, reason: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after_s = retry_after_s


class WebGate:
    """Checks origin and token, reads bodies, answers with CORS headers for allowed origins."""

    def __init__(self, config: WebChatConfig) -> None:
        self.config = config
        self.tokens = VisitorTokens(config.secret, max_age_s=config.token_max_age_s)
        self._address_key = hashlib.sha256(b"web-chat-address:" + config.secret.encode()).digest()

    def allowed(self, request: Request) -> bool:
        """Whether the request's ``Origin`` may use the API."""
        return origin_allowed(
            request.headers.get("origin"),
            host=request.headers.get("host"),
            allowed=self.config.origins,
        )

    def check_origin(self, request: Request, *, required: bool) -> None:
        """403 unless the origin is allowed; a request without one passes when not ``required``."""
        origin = request.headers.get("origin")
        if origin is None and not required:
            return
        if not self.allowed(request):
            raise WebRefused(403, "this page's origin may not use the web chat (WEB_CHAT_ORIGINS)")

    def visitor(self, token: str | None) -> str:
        """The visitor a token names; 401 when it is missing, forged or expired."""
        visitor = self.tokens.visitor(token)
        if visitor is None:
            raise WebRefused(401, "missing, invalid or expired visitor token")
        return visitor

    def bearer_visitor(self, request: Request) -> str:
        """The visitor of ``Authorization: Bearer <token>``."""
        return self.visitor(bearer_token(request.headers.get("authorization")))

    def address_key(self, request: Request) -> str:
        """The client address as a rate-limit key: keyed-hashed, never stored as it is."""
        host = request.client.host if request.client else "unknown"
        digest = hmac.new(self._address_key, host.encode(), hashlib.sha256).hexdigest()
        return f"web-address:{digest[:32]}"

    async def json_body(self, request: Request) -> dict[str, Any]:
        """The request's JSON object; 400 for anything else (too big, not UTF-8, not an object)."""
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise WebRefused(400, f"the body is over {MAX_BODY_BYTES} bytes")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise WebRefused(400, "the body is not JSON") from exc
        if not isinstance(data, dict):
            raise WebRefused(400, "the body is not a JSON object")
        return data

    def cors(self, request: Request, response: Response) -> Response:
        """``response`` with CORS headers when the request's origin is allowed."""
        origin = request.headers.get("origin")
        if origin and self.allowed(request):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        response.headers["Vary"] = "Origin"
        return response

    def preflight(self, request: Request) -> Response:
        """The answer to a CORS preflight: 204 naming what may be sent, or 403."""
        if not self.allowed(request):
            return self.refusal(request, WebRefused(403, "origin not allowed (WEB_CHAT_ORIGINS)"))
        response = Response(status_code=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, Last-Event-ID"
        )
        response.headers["Access-Control-Max-Age"] = "600"
        return self.cors(request, response)

    def json(self, request: Request, data: dict[str, Any], *, status: int = 200) -> Response:
        """A JSON answer with CORS headers."""
        return self.cors(request, JSONResponse(data, status_code=status))

    def refusal(self, request: Request, exc: WebRefused) -> Response:
        """The app's one error shape, logged in one line (no traceback, nothing of the body)."""
        log.info(
            "web chat refused %s %s (%d): %s",
            request.method,
            request.url.path,
            exc.status,
            exc.reason,
        )
        headers = {}
        if exc.retry_after_s is not None:
            headers["Retry-After"] = str(max(1, round(exc.retry_after_s + 0.499)))
        response = JSONResponse(
            {"error": exc.reason, "details": []}, status_code=exc.status, headers=headers
        )
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return self.cors(request, response)
