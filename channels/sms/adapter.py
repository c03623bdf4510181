"""`SmsAdapter`: SMS through Twilio, wired into the app.

``POST /sms/inbound`` takes the messages people text to the business number;
``POST /sms/status`` takes Twilio's delivery reports on what we sent. Both
are verified with Twilio's `RequestValidator` before anything is read.

Twilio waits 15 s for an inbound webhook's answer, and the model may take
longer, so the webhook stores the message, answers at once with empty TwiML
(no reply in the HTTP response) and the reply follows through the REST API
(`SmsChannel`).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels.adapter import ChannelAdapter
from channels.base import Inbox
from channels.errors import InboxUnavailableError
from channels.sms.config import TwilioConfig
from channels.sms.inbound import incoming_sms
from channels.sms.outbound import STATUS_PATH, SmsChannel, masked
from channels.sms.verify import Form, TwilioWebhook, WebhookRejected, required

log = logging.getLogger(__name__)

INBOUND_PATH = "/sms/inbound"
#: Delivery reports worth keeping: the message's last word (earlier ones are
#: queued, sending, sent, each followed by one of these).
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed"})


class SmsAdapter(ChannelAdapter):
    """Twilio's webhooks in, `SmsChannel` out."""

    name = "sms"

    def __init__(self, config: TwilioConfig, inbox: Inbox) -> None:
        self.config = config
        self.inbox = inbox
        validator = RequestValidator(config.auth_token) if config.verify_requests else None
        self.webhook = TwilioWebhook(public_url=config.public_url, validator=validator)
        self._channel = SmsChannel(config, inbox)

    @property
    def channel(self) -> SmsChannel:
        """Where replies go out."""
        return self._channel

    def router(self) -> APIRouter:
        """``POST /sms/inbound`` and ``POST /sms/status``."""
        router = APIRouter(tags=["sms"])
        router.add_api_route(INBOUND_PATH, self.inbound, methods=["POST"], include_in_schema=False)
        router.add_api_route(STATUS_PATH, self.status, methods=["POST"], include_in_schema=False)
        return router

    async def inbound(self, request: Request) -> Response:
        """Store a text the business number received; answer Twilio with empty TwiML."""
        try:
            form = await self.webhook.form(request, path=INBOUND_PATH)
            incoming = incoming_sms(form)
        except WebhookRejected as exc:
            return _refusal(exc, INBOUND_PATH)
        try:
            receipt = await self.inbox.deliver(incoming)
        except InboxUnavailableError as exc:
            log.warning("sms %s not stored: %s", incoming.external_id, exc)
            return JSONResponse({"error": "try again later", "details": []}, status_code=503)
        if receipt.duplicate:
            log.info(
                "sms %s from %s delivered again: ignored",
                incoming.external_id,
                masked(incoming.sender.value),
            )
        # Empty TwiML: "received, no reply here". The reply goes by REST, after the model.
        return Response(str(MessagingResponse()), media_type="text/xml")

    async def status(self, request: Request) -> Response:
        """Note a delivery report (delivered, undelivered, failed) on the sent message,
        and the price Twilio charged for it when the report carries one."""
        try:
            form = await self.webhook.form(request, path=STATUS_PATH)
            sid = required(form, "MessageSid")
            # Older callbacks name it SmsStatus only; current ones send both.
            status = required(form, "MessageStatus" if "MessageStatus" in form else "SmsStatus")
        except WebhookRejected as exc:
            return _refusal(exc, STATUS_PATH)
        status = status.lower()
        price = form.get("Price", "").strip()
        if price:  # Twilio adds it once the message is rated; most callbacks have none
            await self.inbox.record_price(
                self.name, sid, price=price, price_unit=form.get("PriceUnit", "USD").strip()
            )
        if status in FINAL_STATUSES:
            error = _error_of(form)
            found = await self.inbox.record_delivery(self.name, sid, status=status, error=error)
            log_at = logging.WARNING if error else logging.INFO
            log.log(log_at, "sms %s %s%s", sid, status, f" ({error})" if error else "")
            if not found:
                log.info("delivery report for an sms we have no record of: %s", sid)
        return Response(status_code=204)

    async def aclose(self) -> None:
        """Close the REST client's HTTP session."""
        await self._channel.aclose()

    def describe(self) -> dict[str, Any]:
        """Webhook mode, and the number or messaging service replies come from."""
        return {
            "mode": "webhook",
            "from": self.config.from_number or self.config.messaging_service_sid,
        }


def _error_of(form: Form) -> str | None:
    """``30003: Unreachable destination handset``, or None when the report has no error."""
    code = form.get("ErrorCode", "").strip()
    message = form.get("ErrorMessage", "").strip()
    if not code and not message:
        return None
    return ": ".join(part for part in (code, message) if part)


def _refusal(exc: WebhookRejected, path: str) -> Response:
    # One line, no traceback: a refused request is the sender's problem, not ours.
    log.warning("refused a request to %s (%d): %s", path, exc.status, exc.reason)
    # The app's one error shape (bot/http/app.py); Twilio only looks at the status.
    return JSONResponse({"error": exc.reason, "details": []}, status_code=exc.status)
