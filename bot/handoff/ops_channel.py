"""`OpsChannel`: the team's channel (``SLACK_OPS_CHANNEL``) for alerts and handoffs.

It is an `AlertSink` (budget and growth alerts land there) and the place a
conversation handed to a person is announced. The handoff alert is a card
(contact, channel, identities, reason, the last messages, a Resolve button);
its thread is where the customer's further messages are forwarded and where
the team's replies are picked up (see `bot.handoff.desk.HandoffDesk`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.costs.alerts import Alert, AlertLog
from bot.pipeline.outbox import Outbox
from channels.base import Card, CardAction, CardField, Channel, OutgoingMessage

if TYPE_CHECKING:
    from bot.orchestrator import Orchestrator
    from bot.settings import Settings

log = logging.getLogger(__name__)

#: The command that gives a conversation back to the bot; the alert's Resolve button runs it.
RELEASE_COMMAND = "bot-release"
#: Characters of one past message shown in the alert.
HISTORY_LINE_CHARS = 300


@dataclass(frozen=True, slots=True)
class Handoff:
    """A conversation the bot handed to a person, and why."""

    conversation_id: int
    contact_id: int
    channel: str
    conversation_key: str
    reason: str
    #: The customer's message that led to it.
    text: str
    contact_name: str | None = None
    #: The contact's addresses (``phone:+1555...``, ``telegram:42``).
    identities: Sequence[str] = ()
    #: The last messages, oldest first, as ``(who, text)``: who is "customer", "bot" or "team".
    history: Sequence[tuple[str, str]] = ()

    @property
    def who(self) -> str:
        """The contact's name, or their id when no name is known."""
        return self.contact_name or f"contact {self.contact_id}"


class OpsChannel:
    """Posts alerts and handoffs to one conversation of a channel (a Slack channel)."""

    def __init__(self, channel: Channel, conversation_key: str) -> None:
        self.channel = channel
        self.conversation_key = conversation_key
        # Posts leave through an outbox as every other send does: fitted, split, consent.
        self.outbox = Outbox(channels={channel.name: channel})

    async def _post(self, conversation_key: str, message: OutgoingMessage) -> str:
        """Post ``message``; the channel's id of its first part (a thread's root)."""
        return (await self.outbox.send_to(self.channel.name, conversation_key, message))[0]

    async def send(self, alert: Alert) -> None:
        """`AlertSink`: post the alert."""
        message = OutgoingMessage(f":rotating_light: {alert.message}")
        await self._post(self.conversation_key, message)

    async def handoff(self, handoff: Handoff) -> str:
        """Ask the team to take over a conversation; return the alert's thread key.

        The thread key (``channel:ts`` on Slack) is a conversation key of the
        ops channel: sending to it answers in the alert's thread.
        """
        text = f"{handoff.who} on {handoff.channel} needs a person: {handoff.reason}"
        sent_id = await self._post(
            self.conversation_key, OutgoingMessage(text, card=handoff_card(handoff))
        )
        return self.thread_key(sent_id)

    def thread_key(self, sent_id: str) -> str:
        """The conversation key of the thread under the message ``sent_id``."""
        return f"{self.conversation_key}:{sent_id}"

    async def say_in_thread(self, thread: str, text: str) -> str:
        """Post ``text`` in the alert's thread ``thread``."""
        return await self._post(thread, OutgoingMessage(text))

    async def mark_resolved(self, thread: str, text: str) -> None:
        """Replace the alert of ``thread`` by ``text`` (the card and its button go away)."""
        channel_key, _, sent_id = thread.rpartition(":")
        if channel_key != self.conversation_key or not sent_id:
            return
        await self.outbox.update(
            self.channel.name, self.conversation_key, sent_id, OutgoingMessage(text)
        )


def handoff_card(handoff: Handoff) -> Card:
    """The alert's card: who, where, why, the recent messages, and the Resolve button."""
    fields = [
        CardField("Reason", handoff.reason),
        CardField("Channel", handoff.channel),
        CardField("Conversation", f"{handoff.conversation_id} ({handoff.conversation_key})"),
    ]
    if handoff.identities:
        fields.append(CardField("Identities", ", ".join(handoff.identities)))
    history = handoff.history or (("customer", handoff.text),)
    lines = [f"{who}: {_one_line(text)}" for who, text in history]
    sections = (
        "Recent messages:\n" + "\n".join(lines),
        "Reply in this thread to answer the customer on their channel; "
        f"Resolve (or /{RELEASE_COMMAND} {handoff.conversation_id}) gives them back to the bot.",
    )
    return Card(
        title=f"Handoff: {handoff.who} on {handoff.channel} needs a person",
        fields=tuple(fields),
        sections=sections,
        actions=(CardAction(RELEASE_COMMAND, "Resolve", str(handoff.conversation_id)),),
    )


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= HISTORY_LINE_CHARS else flat[: HISTORY_LINE_CHARS - 1] + "…"


def connect_ops_channel(settings: Settings, orchestrator: Orchestrator, alerts: AlertLog) -> None:
    """Handoffs and alerts to SLACK_OPS_CHANNEL when Slack is on; a log line when nobody sees."""
    slack = orchestrator.outbox.channel("slack")
    if slack is not None and settings.slack_ops_channel:
        ops = OpsChannel(slack, settings.slack_ops_channel)
        orchestrator.ops = ops
        alerts.sinks.append(ops)
    elif not settings.admin_api_token:  # the console (/admin) shows handoffs otherwise
        # A handoff nobody sees must not silence the bot: see bot/handoff/desk.py. A warning
        # where customers write (SMS, Telegram, web chat); the console alone is the operator's.
        customers = {"sms", "telegram", "web"} & set(orchestrator.outbox.channels)
        log.log(
            logging.WARNING if customers else logging.INFO,
            "no ops channel (SLACK_OPS_CHANNEL%s): a customer who needs a person is "
            "told to contact the business directly, and the bot keeps answering",
            " is set but Slack is off" if settings.slack_ops_channel else " is not set",
        )
