"""`OpsChannel`: the team's channel (``SLACK_OPS_CHANNEL``) for alerts and handoffs.

It is an `AlertSink` (budget and growth alerts land there) and the place the
orchestrator announces a conversation it handed to a person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.alerts import Alert
from channels.base import Card, CardField, Channel, OutgoingMessage

log = logging.getLogger(__name__)


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


class OpsChannel:
    """Posts alerts and handoffs to one conversation of a channel (a Slack channel)."""

    def __init__(self, channel: Channel, conversation_key: str) -> None:
        self.channel = channel
        self.conversation_key = conversation_key

    async def send(self, alert: Alert) -> None:
        """`AlertSink`: post the alert."""
        message = OutgoingMessage(f":rotating_light: {alert.message}")
        await self.channel.send(self.conversation_key, message)

    async def handoff(self, handoff: Handoff) -> None:
        """Ask the team to take over a conversation."""
        who = handoff.contact_name or f"contact {handoff.contact_id}"
        card = Card(
            title=f"Handoff: {who} on {handoff.channel} needs a person",
            fields=(
                CardField("Reason", handoff.reason),
                CardField(
                    "Conversation", f"{handoff.conversation_id} ({handoff.conversation_key})"
                ),
            ),
            sections=(f"Last message: {handoff.text[:500]}",),
        )
        text = f"{who} on {handoff.channel} needs a person: {handoff.reason}"
        await self.channel.send(self.conversation_key, OutgoingMessage(text, card=card))
