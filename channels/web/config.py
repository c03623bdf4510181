"""`WebChatConfig`: what the web chat needs, read by the bot from its settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebChatConfig:
    """The signing secret, the sites allowed to embed the widget, and the rate limits."""

    #: Signs visitor tokens (HMAC-SHA256) and hashes phone codes: WEB_CHAT_SECRET.
    secret: str
    #: Origins (``https://shop.example.com``) whose pages may call the API. The bot's
    #: own origin (its demo page, ``/chat``) is always allowed.
    origins: frozenset[str] = frozenset()
    #: How long a visitor token stays valid, in seconds.
    token_max_age_s: int = 30 * 86_400
    #: Messages one visitor token may post per rate window.
    token_limit: int = 10
    #: Requests (sessions, messages, codes) one client address may make per rate window.
    address_limit: int = 60
    #: The rate limits' sliding window, in seconds.
    rate_window_s: float = 60.0
    #: The longest single stream; the widget reconnects (with ``Last-Event-ID``) after it,
    #: so a server stopping waits at most this long for open streams.
    stream_max_s: float = 30.0
