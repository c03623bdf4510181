"""A fake Twilio Messages API on 127.0.0.1, and helpers that play Twilio's webhooks.

`run_fake_twilio` serves ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``
as Twilio does: form-encoded parameters, HTTP basic auth with the account SID and
auth token, a 201 with the JSON message resource (``sid`` "SM" + 32 hex,
``status`` "queued", ``num_segments`` as a string), Twilio's error body
``{"code", "message", "more_info", "status"}`` otherwise (401 code 20003, 400
codes 21602/21604/21617, 429 code 20429). Its ``num_segments`` is computed
here from the public GSM-7/UCS-2 rules, independently of
`channels.sms.segments`, so tests cross-check the two.

`TwilioSigner` signs webhook requests with Twilio's own `RequestValidator`.
"""

from __future__ import annotations

import asyncio
import base64
import math
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from channels.testing import Changes, serve_in_background

# The GSM 03.38 alphabet and its extension table, written out again on purpose.
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXT = set("\f^{}\\[~]|€")


def twilio_num_segments(body: str) -> int:
    """Segments as Twilio bills them: GSM-7 160/153 septets, else UCS-2 70/67 units."""
    if all(c in _GSM or c in _GSM_EXT for c in body):
        size, single, part = sum(2 if c in _GSM_EXT else 1 for c in body), 160, 153
    else:
        size, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if size <= single else math.ceil(size / part)


@dataclass
class FakeTwilio:
    """A running fake: its URL, what it was sent, and how it should answer next."""

    url: str
    account_sid: str
    auth_token: str
    #: Each message created: the form sent plus the resource answered.
    messages: list[dict[str, Any]] = field(default_factory=list)
    #: Every request that reached the Messages endpoint, refused ones included.
    attempts: int = 0
    #: Answer the next this-many creates with 429.
    rate_limited: int = 0
    retry_after: str | None = "1"
    #: Seconds a create waits after it is recorded, before it answers: a slow vendor
    #: (the message exists, the sender does not know yet). Lowering it releases waiters.
    delay_s: float = 0.0
    _changed: Changes = field(default_factory=lambda: Changes("Twilio"))

    def rate_limit(self, times: int = 1, *, retry_after: str | None = "1") -> None:
        """Answer the next ``times`` creates with 429 Too Many Requests."""
        self.rate_limited, self.retry_after = times, retry_after

    async def wait_for_messages(self, count: int, *, seconds: float = 5.0) -> list[dict[str, Any]]:
        """The messages once ``count`` have been created (TimeoutError after ``seconds``)."""
        await self._changed.until(lambda: len(self.messages) >= count, seconds, "messages")
        return list(self.messages)

    @property
    def bodies(self) -> list[str]:
        """The body of every message created, in order."""
        return [m["Body"] for m in self.messages]

    async def _create(self, request: Request) -> JSONResponse:
        self.attempts += 1
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        if request.path_params["account_sid"] != self.account_sid:
            return _error(404, 20404, "The requested resource was not found")
        if self.rate_limited:
            self.rate_limited -= 1
            headers = {"Retry-After": self.retry_after} if self.retry_after else None
            return _error(429, 20429, "Too Many Requests", headers)
        # Parsed by hand: Starlette's form parser needs python-multipart, which the bot lacks.
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        body, to = str(form.get("Body", "")), str(form.get("To", ""))
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return _error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        resource = self._resource(form, body, to)
        await self._changed.change(lambda: self.messages.append({**form, "resource": resource}))
        # Re-read while waiting: a test that lowers delay_s releases the requests already
        # waiting (else the fake's shutdown would wait out their minute).
        started = asyncio.get_running_loop().time()
        while asyncio.get_running_loop().time() - started < self.delay_s:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return JSONResponse(resource, status_code=201)

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def _resource(self, form: Mapping[str, Any], body: str, to: str) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC), usegmt=True)
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(twilio_num_segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": to,
            "uri": uri,
        }


def _error(
    status: int, code: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
        headers=headers,
    )


@asynccontextmanager
async def run_fake_twilio(
    *, account_sid: str = "AC" + "0" * 32, auth_token: str = "fake-auth-token"
) -> AsyncIterator[FakeTwilio]:
    """Serve a fake Messages API; yield it (its ``url`` is ``TWILIO_API_BASE_URL``)."""
    fake = FakeTwilio(url="", account_sid=account_sid, auth_token=auth_token)
    app = Starlette(
        routes=[
            Route(
                "/2010-04-01/Accounts/{account_sid}/Messages.json", fake._create, methods=["POST"]
            )
        ]
    )
    async with serve_in_background(app) as url:
        fake.url = url
        yield fake


@dataclass(frozen=True)
class TwilioSigner:
    """Signs webhook forms as Twilio does, for the URL Twilio was given."""

    auth_token: str
    public_url: str

    def sign(self, path: str, form: Mapping[str, str], *, url: str | None = None) -> str:
        """``X-Twilio-Signature`` for ``form`` posted to ``public_url + path`` (or ``url``)."""
        validator = RequestValidator(self.auth_token)
        return validator.compute_signature(url or self.public_url + path, dict(form))

    def headers(self, path: str, form: Mapping[str, str], *, url: str | None = None) -> dict:
        """The headers of a signed request."""
        return {"X-Twilio-Signature": self.sign(path, form, url=url)}


def inbound_form(
    text: str, *, sender: str, sid: str | None = None, to: str = "+15550000000"
) -> dict[str, str]:
    """The form Twilio posts for a text ``sender`` sent to the business number ``to``."""
    sid = sid or "SM" + secrets.token_hex(16)
    return {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": text,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
