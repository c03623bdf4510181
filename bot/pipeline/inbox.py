"""`BotInbox`: what channel adapters hand messages to (the bot's `channels.base.Inbox`).

`deliver` stores the message and schedules its answer in one transaction (a
re-delivery is spotted by the store's unique key, in every process at once)
and returns; the answer, a command or the orchestrator's, runs as a job (see
`bot.pipeline`), in order per conversation, in this process or any worker's.
So a webhook acknowledges only what is already stored and scheduled, and fast
whatever the model does. When answering fails, the person is told rather
than left waiting.

A customer's message past their inbound limit (`bot.pipeline.inbound_limits`) is
stored and not answered: its job finds the limit and, for the first of its
window, sends a notice instead, stored as any reply is. Channels report what
their sends cost (`record_sent`, `record_price`: SMS segments) to
`bot.costs.send_costs`.

Every text a channel hands over is cleaned first (`channels.text.clean_text`):
a NUL or a lone surrogate in a message, a name or an id is removed, never a
database error that a vendor would answer by sending the message again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial

from sqlalchemy import exc as sql

from agents.sentences import SentenceCallback
from bot.commands import CommandContext, CommandRegistry
from bot.costs.send_costs import SendCosts
from bot.errors import InvalidMessageError
from bot.observability import metrics, tracing
from bot.orchestrator import Orchestrator, Reply
from bot.pipeline.inbound_limits import NOTICES, InboundLimiter, LimitHit
from bot.pipeline.intake import store_and_schedule
from bot.pipeline.jobs import Jobs, LocalJobs, answer_lock
from bot.pipeline.reactions import ReactionFeedback
from channels.base import (
    Address,
    IncomingMessage,
    OutgoingMessage,
    Reaction,
    Receipt,
)
from channels.errors import InboxUnavailableError
from channels.text import clean_incoming, clean_text
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore, RecordedMessage
from memory.feedback import FeedbackStore

log = logging.getLogger(__name__)

#: The ``agent`` of a stored notice that the sender's messages are past their limit.
LIMIT_AGENT = "inbound_limit"

#: What the person reads when answering failed for a reason of ours.
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side while answering. Please try again in a moment."
)


class BotInbox:
    """Stores what channels receive and answers it in the background."""

    def __init__(
        self,
        *,
        orchestrator: Orchestrator,
        commands: CommandRegistry,
        contacts: ContactDirectory,
        conversations: ConversationStore,
        jobs: Jobs | None = None,
        sms_help_text: str = "",
        limits: InboundLimiter | None = None,
        send_costs: SendCosts | None = None,
    ) -> None:
        """``limits`` caps what one customer gets answered; ``send_costs`` counts paid sends."""
        self.orchestrator = orchestrator
        self.commands = commands
        self.contacts = contacts
        self.conversations = conversations
        self.jobs = jobs or LocalJobs()
        self.sms_help_text = sms_help_text
        self.reactions = ReactionFeedback(FeedbackStore(conversations.db))
        self.limits = limits
        self.send_costs = send_costs

    async def deliver(self, incoming: IncomingMessage) -> Receipt:
        """Store ``incoming`` and schedule its answer; see `channels.base.Receipt`.

        Raises `InboxUnavailableError` when the database cannot be reached (the
        channel may ask its vendor to send again); any other error means this
        message cannot be stored however often it is sent.
        """
        incoming = clean_incoming(incoming)
        try:
            with tracing.span("deliver", channel=incoming.channel, text=incoming.text):
                recorded = await store_and_schedule(
                    incoming, orchestrator=self.orchestrator, jobs=self.jobs, contacts=self.contacts
                )
        except _UNREACHABLE as exc:
            raise InboxUnavailableError(f"the database cannot be reached: {exc}") from exc
        except InvalidMessageError as exc:
            log.warning("refused a %s message: %s", incoming.channel, exc)
            refusal = f"Sorry, I can't take that message: {exc}."
            # Nothing was stored: a best-effort note from this process.
            self.jobs.submit(
                answer_lock(incoming), lambda: self._say(incoming, refusal), name="refusal"
            )
            return Receipt(accepted=False)
        if recorded is None:
            return Receipt(accepted=False, duplicate=True)
        command = self.commands.for_sender(incoming) if incoming.command else None
        return Receipt(accepted=True, ack_text=command.ack_text if command else None)

    async def link(self, sender: Address, alias: Address) -> None:
        """Join ``alias`` to ``sender``'s contact (a phone number shared on Telegram)."""
        sender, alias = _clean_address(sender), _clean_address(alias)
        async with self.contacts.db.transaction() as session:
            await self.contacts.link(session, sender, alias)
        log.info("linked %s to %s", alias.kind, sender.kind)

    async def may_send(self, recipient: Address) -> bool:
        """False for an address that opted out."""
        return not await self.contacts.is_opted_out(recipient)

    async def record_delivery(
        self, channel: str, sent_id: str, *, status: str, error: str | None = None
    ) -> bool:
        """Note a delivery report on the message it is about."""
        sent_id, status = clean_text(sent_id), clean_text(status)
        error = None if error is None else clean_text(error)
        found = await self.conversations.record_delivery(
            channel, sent_id, status=status, error=error
        )
        if not found:
            log.info("delivery report for unknown %s message %s", channel, sent_id)
        return found

    async def record_sent(
        self,
        channel: str,
        sent_id: str,
        *,
        segments: int,
        price: str | None = None,
        price_unit: str | None = None,
    ) -> None:
        """Count a paid message just sent (SMS segments) in the month's spend; never raises."""
        if self.send_costs is not None:
            await self.send_costs.sent(
                channel, sent_id, segments=segments, price=price, price_unit=price_unit
            )

    async def record_price(
        self, channel: str, sent_id: str, *, price: str, price_unit: str
    ) -> bool:
        """The vendor's price for a sent message replaces our estimate of it."""
        if self.send_costs is None:
            return False
        return await self.send_costs.priced(channel, sent_id, price=price, price_unit=price_unit)

    async def record_reaction(self, reaction: Reaction) -> bool:
        """A thumbs up or down on a bot reply rates it (see `bot.pipeline.reactions`)."""
        reaction = replace(
            reaction,
            sent_id=clean_text(reaction.sent_id),
            rater=_clean_address(reaction.rater),
            container=None if reaction.container is None else clean_text(reaction.container),
        )
        return await self.reactions.record(reaction)

    @property
    def work(self) -> Jobs:
        """The jobs (``work.drain()`` waits for the answers scheduled so far)."""
        return self.jobs

    async def answer(self, incoming: IncomingMessage, recorded: RecordedMessage) -> Reply | None:
        """Run the command or ask the orchestrator: what one message's job does.

        The orchestrator's `Reply` when it answered (the HTTP API shows it).
        """
        if (hit := await self._limit_hit(incoming, recorded)) is not None:
            metrics.refused(incoming.channel, "limit")
            await self._past_limit(incoming, recorded, hit)
            return None
        try:
            if incoming.command:
                await self.commands.run(self._context(incoming, recorded))
            # Checked now, in the conversation's turn, not when the message was stored:
            # a START stored just before this message has run by now.
            elif not await self.may_send(incoming.sender):
                metrics.refused(incoming.channel, "opted_out")
                log.info(
                    "message %s from an opted-out sender: stored, not answered", recorded.message_id
                )
            else:
                return await self.orchestrator.answer(
                    incoming, recorded, on_sentence=self._sentence_stream(incoming)
                )
        except Exception:
            log.exception("answering message %s failed", recorded.message_id)
            await self._say(incoming, SOMETHING_WENT_WRONG)
        return None

    def _sentence_stream(self, incoming: IncomingMessage) -> SentenceCallback | None:
        """Where each checked sentence of the reply goes first, if its channel shows them."""
        channel = self.orchestrator.outbox.channel(incoming.channel)
        if channel is None or not channel.streams_sentences:
            return None
        return partial(channel.stream_sentence, incoming.conversation_key)

    async def _limit_hit(
        self, incoming: IncomingMessage, recorded: RecordedMessage
    ) -> LimitHit | None:
        """The inbound limit ``recorded`` is past, if any: one or two indexed counts.

        A failing check answers the message: it is stored, and failing the
        webhook would make the vendor re-send a duplicate that is never answered.
        """
        if self.limits is None:
            return None
        try:
            return await self.limits.check(incoming, recorded)
        except Exception:
            log.exception("inbound limit check failed for message %s", recorded.message_id)
            return None

    async def _past_limit(
        self, incoming: IncomingMessage, recorded: RecordedMessage, hit: LimitHit
    ) -> None:
        """A message past the sender's limit: stored, not answered; the first is told why."""
        assert self.limits is not None
        try:
            if not await self.limits.record(incoming, recorded, hit):
                return
            if not await self.may_send(incoming.sender):
                return  # STOP means nothing at all is sent, notices included
            text = NOTICES[hit.limit]
            reply_id = await self.conversations.record_reply(
                recorded,
                text=text,
                agent=LIMIT_AGENT,
                calls=(),
                routing_reason=f"inbound {hit.limit} limit",
                meta={"inbound_limit": hit.limit},
                serves_conversation=False,
            )
            sent_ids = await self.orchestrator.outbox.send_reply(incoming, OutgoingMessage(text))
            await self.conversations.mark_sent(reply_id, sent_ids)
        except Exception:
            log.exception("handling message %s past the inbound limit failed", recorded.message_id)

    def _context(self, incoming: IncomingMessage, recorded: RecordedMessage) -> CommandContext:
        return CommandContext(
            incoming=incoming,
            recorded=recorded,
            orchestrator=self.orchestrator,
            contacts=self.contacts,
            conversations=self.conversations,
            registry=self.commands,
            sms_help_text=self.sms_help_text,
        )

    async def _say(self, incoming: IncomingMessage, text: str) -> None:
        """Tell the person something outside the normal answer; never raises."""
        await self.orchestrator.outbox.say(incoming, text)


#: Errors that say the database is out of reach now, not that this message is bad:
#: worth a retry (SQLAlchemy's connection errors, its pool timeout, a refused socket).
_UNREACHABLE = (sql.OperationalError, sql.InterfaceError, sql.TimeoutError, OSError)


def _clean_address(address: Address) -> Address:
    return Address(clean_text(address.kind), clean_text(address.value))
