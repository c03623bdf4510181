"""The web chat's requests in: a visitor's session, their messages, their address codes.

- ``POST /web/v1/session`` → ``201 {"token"}``: a new visitor (rate-limited per address);
  ``200`` and a renewed token for the same visitor when the request carries a valid one.
- ``POST /web/v1/messages`` ``{"text", "id"?}`` with ``Authorization: Bearer <token>`` →
  ``202 {"id"}`` once stored through the inbox, as every channel's message is; the
  answer follows on the stream. ``id`` is the widget's own id for the message: sent
  again (a retry), it is answered once.
- ``POST /web/v1/verify`` ``{"address"}`` (a phone number, or an e-mail when the bot
  can send mail) and ``POST /web/v1/verify/confirm`` ``{"code"}``.

Every route checks the origin first, then the token, then the rate limits
(per token and per client address, counted in the database across
processes), then the body.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from fastapi import Request, Response

from channels.base import Address, Inbox, IncomingMessage
from channels.errors import InboxUnavailableError
from channels.text import clean_text
from channels.web.gate import WebGate, WebRefused
from channels.web.services import VISITOR, RateLimits, Verifier, VerifyOutcome, WebEventLog
from channels.web.verify import bearer_token

log = logging.getLogger(__name__)

#: The widget's id for a message: what makes a retried POST one message.
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The longest message a visitor may send (the bot's MAX_MESSAGE_CHARS may be lower).
MAX_TEXT_CHARS = 4000


def conversation_key(visitor: str) -> str:
    """A visitor's one conversation on the web chat."""
    return f"web:{visitor}"


class WebInbound:
    """Handles the web chat's POSTs; see the module's docstring."""

    def __init__(
        self,
        gate: WebGate,
        *,
        inbox: Inbox,
        events: WebEventLog,
        limits: RateLimits,
        verifier: Verifier | None,
    ) -> None:
        self.gate = gate
        self.inbox = inbox
        self.events = events
        self.limits = limits
        self.verifier = verifier

    async def session(self, request: Request) -> Response:
        """A new visitor token; ``200`` and a renewed one when the one sent is still valid."""
        try:
            self.gate.check_origin(request, required=True)
            await self._admit([(self.gate.address_key(request), self.gate.config.address_limit)])
        except WebRefused as exc:
            return self.gate.refusal(request, exc)
        # A visitor still holding a valid token keeps their identity, with a renewed token.
        known = self.gate.tokens.visitor(bearer_token(request.headers.get("authorization")))
        token, _visitor = self.gate.tokens.issue(known)
        body = {"token": token, "expires_in": self.gate.config.token_max_age_s}
        return self.gate.json(request, body, status=200 if known else 201)

    async def message(self, request: Request) -> Response:
        """Store a visitor's message through the inbox; 202 once stored."""
        try:
            self.gate.check_origin(request, required=True)
            visitor = self.gate.bearer_visitor(request)
            await self._admit_visitor(request, visitor)
            body = await self.gate.json_body(request)
            text, client_id = _message_fields(body)
        except WebRefused as exc:
            return self.gate.refusal(request, exc)
        key = conversation_key(visitor)
        incoming = IncomingMessage(
            channel="web",
            sender=Address("web", visitor),
            conversation_key=key,
            text=text,
            external_id=f"{visitor}:{client_id}",
        )
        try:
            receipt = await self.inbox.deliver(incoming)
        except InboxUnavailableError as exc:
            log.warning("web chat message not stored: %s", exc)
            return self.gate.refusal(request, WebRefused(503, "try again in a moment"))
        if receipt.duplicate:
            return self.gate.json(request, {"id": client_id, "duplicate": True})
        if not receipt.accepted:
            return self.gate.refusal(request, WebRefused(422, "the message cannot be taken"))
        # Echoed on the stream, so the visitor's other tabs (and a reload) show it too.
        try:
            await self.events.publish(key, [(VISITOR, incoming.text, {"id": client_id})])
        except Exception as exc:  # stored and scheduled already: the echo is a courtesy
            log.warning("web chat: the visitor's message was not echoed: %s", exc)
        return self.gate.json(request, {"id": client_id, "duplicate": False}, status=202)

    async def verify(self, request: Request) -> Response:
        """Send a code to the phone number or e-mail the visitor gave."""
        return await self._verification(request, "address", 254, start=True)

    async def confirm(self, request: Request) -> Response:
        """Check the code; on success the visitor is that address's contact from now on."""
        return await self._verification(request, "code", 12, start=False)

    async def _verification(
        self, request: Request, field: str, max_length: int, *, start: bool
    ) -> Response:
        try:
            self.gate.check_origin(request, required=True)
            visitor = self.gate.bearer_visitor(request)
            await self._admit([(self.gate.address_key(request), self.gate.config.address_limit)])
            value = _string(await self.gate.json_body(request), field, max_length=max_length)
            if self.verifier is None:
                raise WebRefused(503, "verification is off")
            try:
                if start:
                    outcome = await self.verifier.start(visitor, value)
                else:
                    outcome = await self.verifier.confirm(visitor, value)
            except Exception as exc:  # ours, not the visitor's: say so, and log why
                log.exception("web chat: phone verification failed")
                raise WebRefused(503, "try again in a moment") from exc
        except WebRefused as exc:
            return self.gate.refusal(request, exc)
        return self._outcome(request, outcome)

    def _outcome(self, request: Request, outcome: VerifyOutcome) -> Response:
        if outcome.status >= 400:
            refused = WebRefused(
                outcome.status, outcome.message, retry_after_s=outcome.retry_after_s
            )
            return self.gate.refusal(request, refused)
        data = {"message": outcome.message}
        if outcome.verified:
            data["verified"] = outcome.verified
        return self.gate.json(request, data, status=outcome.status)

    async def _admit_visitor(self, request: Request, visitor: str) -> None:
        config = self.gate.config
        await self._admit(
            [
                (f"web-token:{visitor}", config.token_limit),
                (self.gate.address_key(request), config.address_limit),
            ]
        )

    async def _admit(self, limits: list[tuple[str, int]]) -> None:
        limits = [(key, limit) for key, limit in limits if limit > 0]
        if not limits:
            return
        try:
            wait = await self.limits.admit(limits, self.gate.config.rate_window_s)
        except Exception as exc:  # the database is out of reach: the widget tries again
            log.warning("web chat: rate limits could not be counted: %s", exc)
            raise WebRefused(503, "try again in a moment") from exc
        if wait is not None:
            raise WebRefused(429, "too many requests: slow down", retry_after_s=wait)


def _message_fields(body: dict[str, Any]) -> tuple[str, str]:
    """The message's text (cleaned, not blank) and the widget's id for it (or a new one)."""
    text = clean_text(_string(body, "text", max_length=MAX_TEXT_CHARS))
    if not text.strip():
        raise WebRefused(422, "text: the message is empty")
    client_id = body.get("id")
    if client_id is None:
        return text, secrets.token_urlsafe(12)
    if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
        raise WebRefused(422, "id: 1 to 64 letters, digits, - or _")
    return text, client_id


def _string(body: dict[str, Any], name: str, *, max_length: int) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise WebRefused(422, f"{name}: a string is required")
    if len(value) > max_length:
        raise WebRefused(422, f"{name}: at most {max_length} characters")
    return value
