"""Checking who is asking: signed visitor tokens, and the origin of the page asking.

A visitor token is opaque to the widget: ``<visitor id>.<issued>.<signature>``,
the signature an HMAC-SHA256 over the first two parts with WEB_CHAT_SECRET.
Nothing is stored per token: any process with the secret can check one, and
the visitor id inside is the visitor's ``web`` identity. The widget keeps it
in ``localStorage`` (third-party cookies are blocked by browsers anyway) and
sends it as ``Authorization: Bearer``, except on the stream: ``EventSource``
cannot send headers, so there it travels in the query string (kept out of the
access log, see `redact_token`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

#: The query-string token in an access log line: what `redact_token` hides.
_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"]*")
_VISITOR = re.compile(r"[A-Za-z0-9_-]{22}")
_ISSUED = re.compile(r"[0-9a-z]{1,12}")
#: A token is three short base64url/base36 parts; anything longer is not ours.
MAX_TOKEN_LENGTH = 128


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class VisitorTokens:
    """Issues and checks the signed tokens that name a web chat visitor."""

    def __init__(
        self, secret: str, *, max_age_s: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = hashlib.sha256(b"web-chat-token:" + secret.encode()).digest()
        self.max_age_s = max_age_s
        self._clock = clock

    def issue(self, visitor: str | None = None) -> tuple[str, str]:
        """A token for ``visitor`` (renewed: valid from now), or for a new one: ``(token, id)``."""
        visitor = visitor or _b64(secrets.token_bytes(16))
        issued = _base36(int(self._clock()))
        return f"{visitor}.{issued}.{self._sign(visitor, issued)}", visitor

    def visitor(self, token: str | None) -> str | None:
        """The visitor id ``token`` names, or None when it is not a valid, unexpired token."""
        if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            return None
        parts = token.split(".")
        if len(parts) != 3:
            return None
        visitor, issued, signature = parts
        if not _VISITOR.fullmatch(visitor) or not _ISSUED.fullmatch(issued):
            return None
        # compare_digest: the time taken must not tell how much of a forgery was right.
        if not hmac.compare_digest(signature.encode(), self._sign(visitor, issued).encode()):
            return None
        age = self._clock() - int(issued, 36)
        return visitor if -300 <= age <= self.max_age_s else None

    def _sign(self, visitor: str, issued: str) -> str:
        mac = hmac.new(self._key, f"{visitor}.{issued}".encode(), hashlib.sha256)
        return _b64(mac.digest()[:24])


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if that is what it is."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def origin_allowed(origin: str | None, *, host: str | None, allowed: frozenset[str]) -> bool:
    """Whether a page from ``origin`` may call the API: a listed origin, or the bot's own.

    The bot's own pages (``/chat``) are compared by host and port only: behind a
    proxy that ends TLS the app sees ``http`` where the browser saw ``https``.
    """
    if not origin or origin == "null":
        return False
    if origin.rstrip("/") in allowed:
        return True
    netloc = urlsplit(origin).netloc
    return bool(host) and netloc.lower() == (host or "").lower()


def redact_token(text: str) -> str:
    """``text`` with a ``token=`` query parameter's value hidden (access log lines)."""
    return _TOKEN_IN_QUERY.sub(r"\1[REDACTED]", text) if "token=" in text else text


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
