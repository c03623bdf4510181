"""`SmtpMailer`: plain-text e-mail through the business's SMTP server (the web chat's codes).

The standard library's `smtplib`, run in a thread (it blocks): no new
dependency. STARTTLS by default, a login when SMTP_USERNAME is set, and a
short timeout: a code that cannot be sent now is refused, not queued.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

#: Seconds to connect and for each SMTP exchange.
TIMEOUT_S = 10.0


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    """One SMTP server and the sender address mail comes from."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True

    async def send(self, *, to: str, subject: str, body: str) -> None:
        """Send a plain-text message; raise `MailError` when the server refuses or is away."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        try:
            await asyncio.to_thread(self._send, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"SMTP {self.host}:{self.port}: {exc}") from exc

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
