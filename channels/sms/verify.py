"""Reading a Twilio webhook: the signature first, then the form it signs.

Twilio signs the URL it was given (scheme, host, path and query string) plus
the sorted POST parameters with the account's auth token (HMAC-SHA1, base64,
in ``X-Twilio-Signature``). Behind a proxy or load balancer ``request.url`` is
not that URL (http instead of https, an internal host or port), so the URL is
rebuilt from the configured public URL; validating against ``request.url`` is
the classic way to reject every genuine request, or to accept one signed for
another URL.

Twilio's signature joins each key with its values, all of them, so the
signed string of ``Body=ab`` is also that of ``Body=a&Body=b``: a genuine
request re-cut into a repeated field still passes. Twilio never repeats a
field (media come as ``MediaUrl0``, ``MediaUrl1``...), so a form that does is
refused before its signature is even looked at.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from channels.text import clean_text

SIGNATURE_HEADER = "X-Twilio-Signature"
#: Twilio's webhooks carry a few dozen fields; a body with far more is not Twilio's.
MAX_FIELDS = 200

Form = ImmutableMultiDict[str, str]


class WebhookRejected(Exception):
    """A webhook request refused: ``status`` 403 (not Twilio's) or 400 (malformed)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


#: Longest id field we accept; Twilio's SIDs are 34 characters.
MAX_SID_LENGTH = 64


def required(form: Form, name: str) -> str:
    """The form's ``name`` field, trimmed; `WebhookRejected` (400) when missing or too long."""
    value = form.get(name, "").strip()
    if not value or len(value) > MAX_SID_LENGTH:
        raise WebhookRejected(400, f"{name} is missing or invalid")
    return value


class TwilioWebhook:
    """Verifies Twilio's requests to one public base URL; ``validator=None`` skips that."""

    def __init__(self, *, public_url: str, validator: RequestValidator | None) -> None:
        self.public_url = public_url.rstrip("/")
        self.validator = validator

    def signed_url(self, path: str, query: str = "") -> str:
        """The URL Twilio was given for ``path``: what its signature covers."""
        return self.public_url + path + (f"?{query}" if query else "")

    async def form(self, request: Request, *, path: str) -> Form:
        """The request's form parameters, once its signature checks out, cleaned.

        Raises `WebhookRejected`: 403 for a missing or wrong signature or a
        repeated field, 400 for a body that is not a form. Nothing else of the
        request is read first. The values returned have NUL and lone surrogates
        removed (`clean_text`), after the signature was checked on them as sent.
        """
        signature = request.headers.get(SIGNATURE_HEADER)
        if self.validator is not None and not signature:
            raise WebhookRejected(403, f"missing {SIGNATURE_HEADER}")
        url = self.signed_url(path, request.url.query)
        try:
            form = parse_form(await request.body())
        except WebhookRejected:
            # Not a form: 400 only for a request signed as a body without fields, so that
            # a forged one is told 403 whatever it carries.
            self._check(url, ImmutableMultiDict(), signature)
            raise
        if len(form) != len(form.multi_items()):
            raise WebhookRejected(403, "a form field is repeated; Twilio never repeats one")
        self._check(url, form, signature)
        return ImmutableMultiDict([(k, clean_text(v)) for k, v in form.multi_items()])

    def _check(self, url: str, form: Form, signature: str | None) -> None:
        if self.validator is None:
            return
        # A non-ASCII header (read as Latin-1) can be no base64 signature of ours.
        if (
            not signature
            or not signature.isascii()
            or not self.validator.validate(url, form, signature)
        ):
            raise WebhookRejected(403, f"bad {SIGNATURE_HEADER}")


def parse_form(body: bytes) -> Form:
    """An ``application/x-www-form-urlencoded`` body as a multi-dict; 400 when it is not one.

    A multi-dict because a repeated field counts once per value in the
    signature (`RequestValidator` reads ``getlist``).
    """
    try:
        fields = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookRejected(400, "the body is not a form") from exc
    return ImmutableMultiDict(fields)
