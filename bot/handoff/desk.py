"""`HandoffDesk`: a conversation handed to a person, from the alert to its release.

- `start`: alert the team in the ops channel (``SLACK_OPS_CHANNEL``) with the
  contact, channel, identities, reason and recent messages, and silence the bot
  on the conversation. The alert's thread is remembered (``ops_thread``).
- `forward`: while handed off, each message of the customer goes into that thread.
- `relay`: a team member's reply in the thread goes to the customer on their
  own channel, stored as an outgoing message written by a person.
- `release`: the Resolve button or ``/bot-release`` gives the conversation back.

- `reply`: a team member's reply from the team console (``/admin``) takes the
  same path as a relay: the one way a person's words reach the customer.

The team sees a handoff in the ops channel, in the team console (when
``ADMIN_API_TOKEN`` is set the console lists open handoffs as they arrive), or
both. Nobody can see a handoff when neither is on, or when there is no
console and posting the alert failed. Then the handoff is recorded (``handoff_reason``) but the
conversation is not silenced, and the customer is told the truth: no person
can join this chat right now, and how to reach the business instead. A
conversation nobody watches must never go silent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.handoff.ops_channel import Handoff, OpsChannel
from bot.observability import metrics
from channels.base import IncomingMessage, OutgoingMessage
from channels.errors import ChannelError
from memory.conversations import ConversationStore, RecordedMessage
from memory.handoffs import HandedOff, HandoffStore

if TYPE_CHECKING:
    from bot.pipeline.outbox import Outbox

log = logging.getLogger(__name__)

#: What the customer reads when the conversation is handed to a person.
HANDOFF_MESSAGE = "Let me get a member of our team to help with this. They'll reply here soon."
#: What the customer reads when a person was needed but none can join the chat.
NO_TEAM_MESSAGE = (
    "I can't bring a member of our team into this chat right now, sorry. "
    "You can reach them directly: {contact}"
)
#: How many recent messages the alert shows.
ALERT_HISTORY = 6


@dataclass(frozen=True, slots=True)
class Relayed:
    """What became of a team member's reply in an ops thread."""

    #: sent, released (the bot has the conversation again), unknown (not an alert's thread),
    #: failed (the customer's channel refused).
    outcome: str
    conversation_id: int | None = None
    detail: str = ""


class HandoffDesk:
    """Hands conversations to the team and back (see the module doc)."""

    def __init__(
        self,
        conversations: ConversationStore,
        *,
        outbox: Outbox | None = None,
        ops: OpsChannel | None = None,
        contact_line: str = "",
        store: HandoffStore | None = None,
        console: bool = False,
    ) -> None:
        self.conversations = conversations
        self.store = store or HandoffStore(conversations.db)
        # The orchestrator's outbox (set by it): relays to customers leave only through it.
        self.outbox = outbox
        self.ops = ops
        self.contact_line = contact_line
        #: The team console is on (``ADMIN_API_TOKEN``): it shows every open handoff, so a
        #: handoff without an ops thread is still seen and the bot may go silent.
        self.console = console

    @property
    def unavailable_text(self) -> str:
        """The honest answer when no person can see the handoff."""
        contact = self.contact_line or "please call or write to us directly."
        return NO_TEAM_MESSAGE.format(contact=contact)

    async def start(
        self, incoming: IncomingMessage, recorded: RecordedMessage, reason: str
    ) -> bool:
        """Alert the team and silence the bot; False when nobody could be alerted."""
        thread: str | None = None
        if self.ops is None and not self.console:
            log.warning(
                "conversation %s needs a person (%s) but SLACK_OPS_CHANNEL is not set: "
                "the bot keeps answering it",
                recorded.conversation_id,
                reason,
            )
        elif self.ops is not None:
            try:
                thread = await self.ops.handoff(await self._handoff(incoming, recorded, reason))
            except Exception:  # a handoff nobody sees must not silence the bot (no console)
                log.exception(
                    "could not alert the team of conversation %s", recorded.conversation_id
                )
        seen = thread is not None or self.console
        await self.store.mark(
            recorded.conversation_id, reason=reason, ops_thread=thread, silence=seen
        )
        if seen:
            metrics.handoff_opened()
            log.warning("conversation %s handed to a person: %s", recorded.conversation_id, reason)
        return seen

    async def holding(self, conversation_id: int) -> HandedOff | None:
        """The conversation when a person has it (the bot stays silent), else None.

        A handed-off conversation whose thread no ops channel shows any more
        (the bot restarted without ``SLACK_OPS_CHANNEL``) is released here, unless
        the team console shows it.
        """
        handed = await self.store.get(conversation_id)
        if handed is None or not handed.active:
            return None
        if not self.console and (self.ops is None or not handed.ops_thread):
            log.warning(
                "conversation %s was handed off but no ops channel shows it: released",
                conversation_id,
            )
            await self.store.release(conversation_id)
            return None
        return handed

    async def forward(self, incoming: IncomingMessage, handed: HandedOff) -> None:
        """Show the customer's new message in the alert's thread; never raises."""
        if self.ops is None or handed.ops_thread is None:
            return
        who = incoming.sender_name or "customer"
        try:
            await self.ops.say_in_thread(handed.ops_thread, f"{who}: {incoming.text}")
        except Exception:
            log.exception("could not forward a message of conversation %s", handed.conversation_id)

    async def relay(self, thread: str, text: str, *, author: str, author_id: str) -> Relayed:
        """Send a team member's reply in the ops thread ``thread`` to the customer and store it."""
        handed = await self.store.by_thread(thread)
        if handed is None:
            return Relayed("unknown")
        return await self._send(handed, text, author=author, author_id=author_id, via="slack")

    async def reply(
        self, conversation_id: int, text: str, *, author: str, author_id: str, via: str = "console"
    ) -> Relayed:
        """Send a team member's reply (from the console) to the customer of a handoff.

        The same path as `relay`: fitted to the customer's channel, sent
        through the outbox (consent checked), stored with who wrote it, and
        shown in the ops thread too when there is one, so Slack sees it.
        """
        handed = await self.store.get(conversation_id)
        if handed is None:
            return Relayed("unknown")
        relayed = await self._send(handed, text, author=author, author_id=author_id, via=via)
        if relayed.outcome == "sent" and handed.ops_thread:
            await self._note(handed.ops_thread, f"{author} (via the {via}): {text}")
        return relayed

    async def _send(
        self, handed: HandedOff, text: str, *, author: str, author_id: str, via: str
    ) -> Relayed:
        if not handed.active:
            return Relayed("released", handed.conversation_id)
        thread = handed.ops_thread
        if self.outbox is None or self.outbox.channel(handed.channel) is None:
            detail = f"the {handed.channel} channel is not on in this bot"
            await self._note(thread, f"Not sent: {detail}.")
            return Relayed("failed", handed.conversation_id, detail)
        text = self.outbox.fit_to(handed.channel, text)  # stored as the customer gets it
        try:
            # The outbox checks consent: a customer who sent STOP gets no relay either.
            sent_id = (
                await self.outbox.send_to(handed.channel, handed.key, OutgoingMessage(text))
            )[0]
        except ChannelError as exc:
            await self._note(thread, f"Not sent to the customer: {exc}")
            return Relayed("failed", handed.conversation_id, str(exc))
        await self.store.record_team_reply(
            handed, text=text, author=author, author_id=author_id, sent_id=sent_id, via=via
        )
        log.info("team reply relayed to conversation %s", handed.conversation_id)
        return Relayed("sent", handed.conversation_id)

    async def release(self, conversation_id: int, *, by: str) -> HandedOff | None:
        """Give the conversation back to the bot and say so in its thread.

        Returns the conversation, or None when it was not handed off.
        """
        handed = await self.store.get(conversation_id)
        if handed is None or not await self.store.release(conversation_id):
            return None
        log.info("conversation %s given back to the bot by %s", conversation_id, by)
        metrics.handoff_resolved()
        if self.ops is not None and handed.ops_thread:
            await self._note(handed.ops_thread, f"Resolved by {by}: the bot answers again.")
            try:
                await self.ops.mark_resolved(
                    handed.ops_thread,
                    f"Handoff of conversation {conversation_id} ({handed.channel}): "
                    f"resolved by {by}. {handed.reason or ''}".strip(),
                )
            except Exception:
                log.exception("could not mark the alert of conversation %s", conversation_id)
        return handed

    async def _handoff(
        self, incoming: IncomingMessage, recorded: RecordedMessage, reason: str
    ) -> Handoff:
        recent = await self.conversations.history(recorded.contact_id, limit=ALERT_HISTORY)
        history = [(_speaker(e.direction, e.agent), e.text) for e in recent]
        identities = [f"{k}:{v}" for k, v in await self.store.addresses(recorded.contact_id)]
        return Handoff(
            conversation_id=recorded.conversation_id,
            contact_id=recorded.contact_id,
            channel=incoming.channel,
            conversation_key=incoming.conversation_key,
            reason=reason,
            text=incoming.text,
            contact_name=recorded.contact_name or incoming.sender_name,
            identities=identities,
            history=history,
        )

    async def _note(self, thread: str | None, text: str) -> None:
        """Tell the team something in the thread (if there is one); never raises."""
        if self.ops is None or not thread:
            return
        try:
            await self.ops.say_in_thread(thread, text)
        except Exception:
            log.exception("could not post in the ops thread %s", thread)


def _speaker(direction: str, agent: str | None) -> str:
    if direction == "in":
        return "customer"
    return "bot" if agent else "team"
