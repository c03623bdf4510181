"""The HTTP client the Twilio SDK sends through: Twilio's own, pointed at another host.

The SDK has no base-URL option: every domain builds absolute URLs on
``https://api.twilio.com`` (``Client.get_hostname`` only varies the edge and
region sub-domains). Its one injection point is the HTTP client handed to
``twilio.rest.Client(http_client=...)``, so `RedirectingTwilioHttpClient`
subclasses the SDK's `AsyncTwilioHttpClient` and swaps the scheme and host of
each request URL for ``TWILIO_API_BASE_URL`` (a regional proxy, an egress
gateway, or the tests' fake Messages API). Auth, form encoding, headers and
error parsing stay the SDK's.

It also remembers a 429's ``Retry-After``: the SDK's `TwilioRestException`
keeps the status but drops the response headers.
"""

from __future__ import annotations

import base64
import logging
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiohttp import ClientSession, ClientTimeout
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response

log = logging.getLogger(__name__)

#: The ``Retry-After`` of the last 429 seen in this task. A context variable, not an
#: attribute: concurrent sends share the client, and each must see its own answer
#: (the SDK awaits the client inside the caller's task, so the value reaches it).
last_retry_after: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)

#: Seconds one API request may take in all; aiohttp's default is five minutes.
DEFAULT_TIMEOUT = 15.0


class RedirectingTwilioHttpClient(AsyncTwilioHttpClient):
    """`AsyncTwilioHttpClient` sending to ``base_url`` instead of Twilio's host.

    Create it inside a running event loop (aiohttp's session needs one); close
    it with `close`. A path in ``base_url`` (``http://gateway/twilio``) is kept
    as a prefix of the API path.
    """

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        # pool_connections=False stops the parent creating its own session: ours
        # carries the timeout, which the parent's async request path never applies.
        super().__init__(pool_connections=False)
        target = urlsplit(base_url.rstrip("/"))
        if not target.scheme or not target.netloc:
            raise ValueError(f"TWILIO_API_BASE_URL must be an absolute URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._target = target
        self.session = ClientSession(timeout=ClientTimeout(total=timeout))

    def redirect(self, url: str) -> str:
        """``url`` (on api.twilio.com) with the scheme and host of ``base_url``."""
        parts = urlsplit(url)
        path = self._target.path + parts.path
        return urlunsplit((self._target.scheme, self._target.netloc, path, parts.query, ""))

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK calls with this name
        allow_redirects: bool = False,
    ) -> Response:
        """Send the SDK's request to ``base_url``; note a 429's ``Retry-After``."""
        if auth is not None:
            # The parent hands aiohttp a BasicAuth, which aiohttp deprecates (gone in 4.0):
            # the same credentials as a header work on every version.
            headers = {**(headers or {}), "Authorization": _basic_auth(*auth)}
        response = await super().request(
            method,
            self.redirect(url),
            params=params,
            data=data,
            headers=headers,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )
        if response.status_code == 429:
            last_retry_after.set(_seconds(response.headers))
        return response


def _basic_auth(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode("ascii")


def _seconds(headers: Any) -> float | None:
    """``Retry-After`` in seconds, when it is a number (Twilio rarely sends one)."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to the default wait
