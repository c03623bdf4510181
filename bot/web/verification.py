"""`PhoneVerifier`: a web chat visitor proves a phone number before it becomes theirs.

Typing a number into the chat links nothing: a visitor is joined to the
contact of a phone number (and so to its bookings and history on every
channel) only after entering the 6-digit code texted to it, through the
outbox and the SMS channel like any other send (opt-out respected, cost
counted). Codes are stored as an HMAC with WEB_CHAT_SECRET, expire after
10 minutes, allow 5 tries, and are sent at most 5 times per visitor and 3
times per number per hour (both counted across processes).

E-mail is not offered: the bot has no mail sender yet; a visitor proves a
phone number only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.pipeline.outbox import Outbox
from channels.base import Address, Inbox, OutgoingMessage
from channels.errors import ChannelError, RecipientOptedOutError
from channels.web.services import VerifyOutcome
from memory.addresses import PHONE, normalise_phone
from memory.errors import InvalidAddressError
from memory.models import utcnow
from memory.web_admissions import AdmissionStore
from memory.web_verifications import PendingCode, VerificationStore

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
#: Codes sent per visitor, and per phone number, per `SEND_WINDOW_S`.
CODES_PER_VISITOR = 5
CODES_PER_NUMBER = 3
SEND_WINDOW_S = 3600.0


class PhoneVerifier:
    """Sends codes by SMS and, on the right one, joins the visitor to that number."""

    def __init__(
        self,
        *,
        secret: str,
        inbox: Inbox,
        outbox: Outbox,
        codes: VerificationStore,
        limits: AdmissionStore,
        business_name: str = "us",
        default_region: str = "US",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._key = hashlib.sha256(b"web-chat-code:" + secret.encode()).digest()
        self.inbox = inbox
        self.outbox = outbox
        self.codes = codes
        self.limits = limits
        self.business_name = business_name
        self.default_region = default_region
        self._clock = clock

    async def start(self, visitor: str, address: str) -> VerifyOutcome:
        """Text a new code to ``address`` (a phone number) for ``visitor``."""
        try:
            phone = normalise_phone(address, default_region=self.default_region)
        except InvalidAddressError:
            return VerifyOutcome(422, "That is not a phone number we can text.")
        if self.outbox.channel("sms") is None:
            return VerifyOutcome(503, "Phone verification is not available right now.")
        wait = await self.limits.admit(
            [
                (f"verify-visitor:{visitor}", CODES_PER_VISITOR),
                (f"verify-number:{self._digest(phone)}", CODES_PER_NUMBER),
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
            kind=PHONE,
            address=phone,
            code_hash=self._hash(visitor, phone, code),
            expires_at=self._clock() + CODE_LIFETIME,
        )
        text = (
            f"{code} is your code to chat with {self.business_name}. It expires in 10 minutes. "
            "If you did not ask for it, ignore this message."
        )
        try:
            await self.outbox.send_to("sms", phone, OutgoingMessage(text))
        except RecipientOptedOutError:
            # Answered as a send: whether a number opted out is not the visitor's to learn.
            log.info("web chat: a code was not sent, the number opted out")
        except ChannelError as exc:
            log.warning("web chat: sending a code failed: %s", exc)
            await self.codes.clear(visitor)
            return VerifyOutcome(502, "We could not send the code. Please try again later.")
        return VerifyOutcome(202, f"We sent a code to the number ending {phone[-4:]}.")

    async def confirm(self, visitor: str, code: str) -> VerifyOutcome:
        """Check ``code``; the right one joins the visitor to the number's contact."""
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
        log.info("web chat: a visitor proved a phone number")
        return VerifyOutcome(
            200,
            f"Thanks, the number ending {pending.address[-4:]} is verified.",
            verified=f"phone …{pending.address[-4:]}",
        )

    def _matches(self, visitor: str, pending: PendingCode, code: str) -> bool:
        if len(code) != 6 or not code.isdigit():
            return False
        expected = self._hash(visitor, pending.address, code)
        # compare_digest: the time taken must not tell how much of a guess was right.
        return hmac.compare_digest(expected, pending.code_hash)

    def _hash(self, visitor: str, address: str, code: str) -> str:
        message = f"{visitor}|{address}|{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _digest(self, phone: str) -> str:
        return hmac.new(self._key, phone.encode(), hashlib.sha256).hexdigest()[:32]
