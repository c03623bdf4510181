"""`ContactVerifier`: a web chat visitor proves a phone number or e-mail before it is theirs.

Typing a number or an address into the chat links nothing: a visitor is
joined to the contact of a phone number or e-mail (and so to its bookings and
history on every channel) only after entering the 6-digit code sent to it.
A phone gets it by SMS, through the outbox and the SMS channel like any other
send (opt-out respected, cost counted); an e-mail through SMTP_HOST, when set
(without it, visitors prove a phone number only). Codes are stored as an HMAC
with WEB_CHAT_SECRET, expire after 10 minutes, allow 5 tries, and are sent at
most 5 times per visitor and 3 times per address per hour (counted across
processes).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.pipeline.outbox import Outbox
from bot.web.mail import MailError, SmtpMailer
from channels.base import Address, Inbox, OutgoingMessage
from channels.errors import ChannelError, RecipientOptedOutError
from channels.web.services import VerifyOutcome
from memory.addresses import EMAIL, PHONE, normalise_email, normalise_phone
from memory.errors import InvalidAddressError
from memory.models import utcnow
from memory.web_admissions import AdmissionStore
from memory.web_verifications import PendingCode, VerificationStore

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
#: Codes sent per visitor, and per address, per `SEND_WINDOW_S`.
CODES_PER_VISITOR = 5
CODES_PER_ADDRESS = 3
SEND_WINDOW_S = 3600.0


def shown(kind: str, address: str) -> str:
    """An address as the visitor reads it back: ``number ending 4567``, ``j…@example.com``."""
    if kind == PHONE:
        return f"the number ending {address[-4:]}"
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


class ContactVerifier:
    """Sends codes (SMS, or e-mail when SMTP is set) and, on the right one, joins the
    visitor to that address's contact."""

    def __init__(
        self,
        *,
        secret: str,
        inbox: Inbox,
        outbox: Outbox,
        codes: VerificationStore,
        limits: AdmissionStore,
        mailer: SmtpMailer | None = None,
        business_name: str = "us",
        default_region: str = "US",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._key = hashlib.sha256(b"web-chat-code:" + secret.encode()).digest()
        self.inbox = inbox
        self.outbox = outbox
        self.codes = codes
        self.limits = limits
        self.mailer = mailer
        self.business_name = business_name
        self.default_region = default_region
        self._clock = clock

    async def start(self, visitor: str, address: str) -> VerifyOutcome:
        """Send a new code to ``address`` (a phone number, or an e-mail) for ``visitor``."""
        parsed = self._parse(address)
        if isinstance(parsed, VerifyOutcome):
            return parsed
        kind, value = parsed
        wait = await self.limits.admit(
            [
                (f"verify-visitor:{visitor}", CODES_PER_VISITOR),
                (f"verify-address:{self._digest(f'{kind}:{value}')}", CODES_PER_ADDRESS),
            ],
            SEND_WINDOW_S,
        )
        if wait is not None:
            return VerifyOutcome(
                429, "Too many codes were asked for. Please try later.", retry_after_s=wait
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        await self.codes.put(
            visitor,
            kind=kind,
            address=value,
            code_hash=self._hash(visitor, value, code),
            expires_at=self._clock() + CODE_LIFETIME,
        )
        text = (
            f"{code} is your code to chat with {self.business_name}. It expires in 10 minutes. "
            "If you did not ask for it, ignore this message."
        )
        try:
            if kind == PHONE:
                await self.outbox.send_to("sms", value, OutgoingMessage(text))
            else:
                assert self.mailer is not None
                await self.mailer.send(to=value, subject=f"Your code: {code}", body=text)
        except RecipientOptedOutError:
            # Answered as a send: whether a number opted out is not the visitor's to learn.
            log.info("web chat: a code was not sent, the number opted out")
        except (ChannelError, MailError) as exc:
            log.warning("web chat: sending a code failed: %s", exc)
            await self.codes.clear(visitor)
            return VerifyOutcome(502, "We could not send the code. Please try again later.")
        return VerifyOutcome(202, f"We sent a code to {shown(kind, value)}.")

    async def confirm(self, visitor: str, code: str) -> VerifyOutcome:
        """Check ``code``; the right one joins the visitor to the address's contact."""
        pending = await self.codes.try_code(visitor, max_attempts=MAX_ATTEMPTS)
        if isinstance(pending, str):
            why = {
                "none": "There is no code to check: ask for one first.",
                "expired": "That code has expired: ask for a new one.",
                "exhausted": "Too many wrong codes: ask for a new one.",
            }[pending]
            return VerifyOutcome(400 if pending != "exhausted" else 429, why)
        if not self._matches(visitor, pending, code.strip()):
            left = MAX_ATTEMPTS - pending.attempts
            return VerifyOutcome(400, f"That code is not right ({left} tries left).")
        await self.codes.clear(visitor)
        await self.inbox.link(Address("web", visitor), Address(pending.kind, pending.address))
        log.info("web chat: a visitor proved their %s", pending.kind)
        where = shown(pending.kind, pending.address)
        masked = f"…{pending.address[-4:]}" if pending.kind == PHONE else where
        return VerifyOutcome(
            200, f"Thanks, {where} is verified.", verified=f"{pending.kind} {masked}"
        )

    def _parse(self, address: str) -> tuple[str, str] | VerifyOutcome:
        """(kind, normalised value), or why the address cannot get a code."""
        try:
            if "@" in address:
                if self.mailer is None:
                    return VerifyOutcome(422, "We can verify a phone number only.")
                return EMAIL, normalise_email(address)
            if self.outbox.channel("sms") is None:
                return VerifyOutcome(503, "Phone verification is not available right now.")
            return PHONE, normalise_phone(address, default_region=self.default_region)
        except InvalidAddressError:
            return VerifyOutcome(422, "That is not a phone number or e-mail we can write to.")

    def _matches(self, visitor: str, pending: PendingCode, code: str) -> bool:
        if len(code) != 6 or not code.isdigit():
            return False
        expected = self._hash(visitor, pending.address, code)
        # compare_digest: the time taken must not tell how much of a guess was right.
        return hmac.compare_digest(expected, pending.code_hash)

    def _hash(self, visitor: str, address: str, code: str) -> str:
        message = f"{visitor}|{address}|{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _digest(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]
