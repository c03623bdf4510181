"""`SmsChannel`: the bot's replies as SMS, through Twilio's Messages API.

One reply is one API message, however long: Twilio and the carriers split it
into concatenated segments that the phone reassembles into one text. Sending
the parts as separate API messages would cost the same and arrive as separate
texts, possibly out of order. Our own segment plan is computed for every send
and logged, so the cost and the split are visible before Twilio reports them;
each send's segments (Twilio's count when its answer has one) are reported to
the inbox as spend (`Inbox.record_sent`).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

from aiohttp import ClientError
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance

from channels.base import Address, Channel, Inbox, OutgoingMessage
from channels.errors import ChannelSendError, RecipientOptedOutError
from channels.rate_limits import waiting_out_rate_limits
from channels.sms.config import TwilioConfig
from channels.sms.render import MAX_BODY_CHARS, render_sms
from channels.sms.segments import SegmentPlan, plan_segments
from channels.sms.twilio_http import RedirectingTwilioHttpClient, last_retry_after

log = logging.getLogger(__name__)

#: The route Twilio posts delivery reports to (see `SmsAdapter`).
STATUS_PATH = "/sms/status"
#: How long to wait after a 429 that names no wait (Twilio's usually do not).
DEFAULT_RATE_LIMIT_WAIT = 1.0
#: Twilio's error for a send to a number that texted STOP (Twilio blocks it itself).
UNSUBSCRIBED_RECIPIENT = 21610
#: The SDK's API errors: the Messages API's classic shape, and RFC 9457 problem details.
_TWILIO_ERRORS = (TwilioRestException, TwilioServiceException)


@dataclass(frozen=True, slots=True)
class SentSms:
    """One SMS handed to Twilio: its SID, recipient, body and segment plan."""

    sid: str
    to: str
    body: str
    plan: SegmentPlan


class SmsChannel(Channel):
    """Sends by ``messages.create`` from the configured number or messaging service."""

    name = "sms"
    max_text_length = MAX_BODY_CHARS
    max_reply_length = MAX_BODY_CHARS

    def __init__(self, config: TwilioConfig, inbox: Inbox, *, keep: int = 100) -> None:
        self.config = config
        self.inbox = inbox
        #: The latest sends, newest last: what was sent and how it splits.
        self.recent: deque[SentSms] = deque(maxlen=keep)
        self._http: RedirectingTwilioHttpClient | None = None
        self._client: Client | None = None

    def plan(self, message: OutgoingMessage) -> SegmentPlan:
        """How ``message`` would travel: its encoding and segments, as sent."""
        return plan_segments(render_sms(message, limit=self.max_text_length))

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        """Send ``message`` to the phone number ``conversation_key``; return the message SID.

        Raises `RecipientOptedOutError` for a number that opted out (checked here,
        so proactive sends are covered too) and `ChannelSendError` when Twilio
        refuses, after waiting out 429s.
        """
        to = conversation_key.strip()
        if not await self.inbox.may_send(Address("phone", to)):
            log.warning("refused an SMS to %s: the number opted out (STOP)", masked(to))
            raise RecipientOptedOutError(f"{masked(to)} opted out of SMS")
        body = render_sms(message, limit=self.max_text_length)
        plan = plan_segments(body)
        try:
            created = await waiting_out_rate_limits(
                lambda: self._create(to, body), retry_after=_rate_limit_wait
            )
        except _TWILIO_ERRORS as exc:
            if exc.code == UNSUBSCRIBED_RECIPIENT:
                log.warning("Twilio refused an SMS to %s: unsubscribed (21610)", masked(to))
                raise RecipientOptedOutError(f"{masked(to)} opted out of SMS") from exc
            reason = exc.msg if isinstance(exc, TwilioRestException) else exc.title
            raise ChannelSendError(
                f"Twilio refused the SMS: {reason} (error {exc.code})",
                channel=self.name,
                status=exc.status,
            ) from exc
        except (ClientError, TimeoutError) as exc:
            raise ChannelSendError(f"Twilio unreachable: {exc!r}", channel=self.name) from exc
        sid = str(created.sid)
        log.info(
            "sms %s to %s: %s, %d segment(s) of %s, %d units",
            sid,
            masked(to),
            plan.encoding,
            plan.segments,
            "/".join(str(units) for units in plan.part_units),
            plan.units,
        )
        self.recent.append(SentSms(sid=sid, to=to, body=body, plan=plan))
        await self._record_cost(created, plan)
        return sid

    async def _record_cost(self, created: MessageInstance, plan: SegmentPlan) -> None:
        """Count the send's segments as spend: Twilio's count when it gave one, else ours."""
        try:
            segments = int(created.num_segments or plan.segments)
        except ValueError:
            segments = plan.segments
        try:
            await self.inbox.record_sent(
                self.name,
                str(created.sid),
                segments=segments,
                price=created.price,
                price_unit=created.price_unit,
            )
        except Exception:  # the SMS went out: a failure here must not make anyone resend it
            log.exception("could not record the cost of sms %s", created.sid)

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = self._client = None

    async def _create(self, to: str, body: str) -> MessageInstance:
        sender = (
            {"from_": self.config.from_number}
            if self.config.from_number
            else {"messaging_service_sid": self.config.messaging_service_sid}
        )
        last_retry_after.set(None)
        created = await self.client().messages.create_async(
            to=to,
            body=body,
            status_callback=self.config.public_url.rstrip("/") + STATUS_PATH,
            **sender,
        )
        assert created.sid is not None
        return created

    def client(self) -> Client:
        """The SDK client, on the configured API host (made on first use, in the loop)."""
        if self._client is None:
            self._http = RedirectingTwilioHttpClient(self.config.api_base_url)
            self._client = Client(
                self.config.account_sid, self.config.auth_token, http_client=self._http
            )
        return self._client


def _rate_limit_wait(exc: BaseException) -> float | None:
    """The wait a Twilio 429 asks for; None for any other failure."""
    if isinstance(exc, _TWILIO_ERRORS) and exc.status == 429:
        wait = last_retry_after.get()
        return DEFAULT_RATE_LIMIT_WAIT if wait is None else wait
    return None


def masked(phone: str) -> str:
    """A phone number fit for logs: only its last four digits."""
    return "…" + phone[-4:] if len(phone) > 4 else "…"
