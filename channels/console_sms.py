"""A customer's phone in the terminal: `bot chat --customer` talks to the bot as SMS would.

The console is a team channel: a team member sees every booking and no
refund is escalated. This channel is named ``sms``, so what the person types
goes through the very path a Twilio webhook's text takes (stored, answered by
a job, the customer policies, STOP/START/HELP keywords) and each reply is
rendered as the SMS body that would be sent, shown with its segments.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from rich.console import Console
from rich.markup import escape

from channels.base import Address, Channel, IncomingMessage, OutgoingMessage
from channels.sms.inbound import sms_command
from channels.sms.render import MAX_BODY_CHARS, render_sms
from channels.sms.segments import plan_segments

#: The number a simulated customer texts from when ``--as`` names none (a 555 test number).
DEFAULT_CUSTOMER = Address("phone", "+15555550100")


class SimulatedSms(Channel):
    """Prints each SMS the bot would send, part by part, instead of sending it."""

    name = "sms"
    max_text_length = MAX_BODY_CHARS
    edits_in_place = False

    def __init__(self, console: Console) -> None:
        self.console = console
        #: Opt-out check before every send, as `SmsChannel.send` does (set at start).
        self.may_send: Callable[[Address], Awaitable[bool]] | None = None

    def incoming(self, text: str, sender: Address) -> IncomingMessage:
        """A text from ``sender``'s phone, as the SMS webhook turns it into a message."""
        command, arguments = sms_command(text)
        return IncomingMessage(
            channel=self.name,
            sender=sender,
            conversation_key=sender.value,
            text=text,
            external_id=f"SMconsole{uuid.uuid4().hex}",
            command=command,
            arguments=arguments,
        )

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        if self.may_send is not None and not await self.may_send(
            Address("phone", conversation_key)
        ):
            self.console.print("[dim](not sent: this number opted out with STOP)[/]")
            return f"SMrefused{uuid.uuid4().hex}"
        plan = plan_segments(render_sms(message, limit=self.max_text_length))
        many = plan.segments > 1
        self.console.print(f"[dim]SMS · {plan.segments} segment{'s' * many} · {plan.encoding}[/]")
        for number, part in enumerate(plan.parts, 1):
            label = f"[{number}/{plan.segments}] " if many else ""
            self.console.print(f"[bold green]bot>[/] {escape(label + part)}")
        return f"SMconsole{uuid.uuid4().hex}"

    async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage) -> str:
        """An SMS cannot be edited: the new version is a new SMS."""
        return await self.send(conversation_key, message)
