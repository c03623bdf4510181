"""`BotInbox`: what channel adapters hand messages to (the bot's `channels.base.Inbox`).

`deliver` stores the message (a re-delivery is spotted by the store's unique
key, in every process at once) and returns; the answer, a command or the
orchestrator's, runs in `BackgroundWork`, in order per conversation. So a
webhook acknowledges only what is already stored, and fast whatever the
model does. When the background work fails, the person is told rather than
left waiting.

Every text a channel hands over is cleaned first (`channels.text.clean_text`):
a NUL or a lone surrogate in a message, a name or an id is removed, never a
database error that a vendor would answer by sending the message again.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import exc as sql

from bot.background import BackgroundWork
from bot.commands import CommandContext, CommandRegistry
from bot.errors import InvalidMessageError
from bot.orchestrator import Orchestrator
from bot.reactions import ReactionFeedback
from channels.base import (
    OPT_IN_COMMAND,
    OPT_OUT_COMMAND,
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
        work: BackgroundWork | None = None,
        sms_help_text: str = "",
    ) -> None:
        self.orchestrator = orchestrator
        self.commands = commands
        self.contacts = contacts
        self.conversations = conversations
        self.work = work or BackgroundWork()
        self.sms_help_text = sms_help_text
        self.reactions = ReactionFeedback(FeedbackStore(conversations.db))

    async def deliver(self, incoming: IncomingMessage) -> Receipt:
        """Store ``incoming`` and schedule its answer; see `channels.base.Receipt`.

        Raises `InboxUnavailableError` when the database cannot be reached (the
        channel may ask its vendor to send again); any other error means this
        message cannot be stored however often it is sent.
        """
        incoming = clean_incoming(incoming)
        try:
            recorded = await self.orchestrator.record(incoming)
        except _UNREACHABLE as exc:
            raise InboxUnavailableError(f"the database cannot be reached: {exc}") from exc
        except InvalidMessageError as exc:
            log.warning("refused a %s message: %s", incoming.channel, exc)
            refusal = f"Sorry, I can't take that message: {exc}."
            self.work.submit(_turn(incoming), lambda: self._say(incoming, refusal), name="refusal")
            return Receipt(accepted=False)
        if recorded is None:
            return Receipt(accepted=False, duplicate=True)
        command = self.commands.get(incoming.command) if incoming.command else None
        self.work.submit(_turn(incoming), lambda: self._answer(incoming, recorded), name="answer")
        return Receipt(accepted=True, ack_text=command.ack_text if command else None)

    async def link(self, sender: Address, alias: Address) -> None:
        """Join ``alias`` to ``sender``'s contact (a phone number shared on Telegram)."""
        sender, alias = _clean_address(sender), _clean_address(alias)
        async with self.contacts.db.transaction() as session:
            await self.contacts.link(
                session, (sender.kind, sender.value), (alias.kind, alias.value)
            )
        log.info("linked %s to %s", alias.kind, sender.kind)

    async def may_send(self, recipient: Address) -> bool:
        """False for an address that opted out."""
        return not await self.contacts.is_opted_out((recipient.kind, recipient.value))

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

    async def record_reaction(self, reaction: Reaction) -> bool:
        """A thumbs up or down on a bot reply rates it (see `bot.reactions`)."""
        reaction = replace(
            reaction,
            sent_id=clean_text(reaction.sent_id),
            rater=_clean_address(reaction.rater),
            container=None if reaction.container is None else clean_text(reaction.container),
        )
        return await self.reactions.record(reaction)

    async def _answer(self, incoming: IncomingMessage, recorded: RecordedMessage) -> None:
        try:
            if incoming.command:
                await self.commands.run(self._context(incoming, recorded))
            # Checked now, in the conversation's turn, not when the message was stored:
            # a START stored just before this message has run by now.
            elif not await self.may_send(incoming.sender):
                log.info(
                    "message %s from an opted-out sender: stored, not answered", recorded.message_id
                )
            else:
                await self.orchestrator.answer(incoming, recorded)
        except Exception:
            log.exception("answering message %s failed", recorded.message_id)
            await self._say(incoming, SOMETHING_WENT_WRONG)

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
        channel = self.orchestrator.channels.get(incoming.channel)
        if channel is None:
            return
        try:
            await channel.reply(incoming, OutgoingMessage(text, private=True))
        except Exception:
            log.exception("could not tell the %s sender that answering failed", incoming.channel)


#: Errors that say the database is out of reach now, not that this message is bad:
#: worth a retry (SQLAlchemy's connection errors, its pool timeout, a refused socket).
_UNREACHABLE = (sql.OperationalError, sql.InterfaceError, sql.TimeoutError, OSError)


def _clean_address(address: Address) -> Address:
    return Address(clean_text(address.kind), clean_text(address.value))


def _turn(incoming: IncomingMessage) -> str:
    """The ordering key: one conversation's answers go out in the order asked.

    A command's answer is the asker's alone (a Slack slash command answers through
    its own response_url), so one person's slow /enrich never holds up another
    person's /ask in the same channel. STOP and START are the exception: they
    change whether the conversation's next answers may be sent, so they keep
    its order ("START" then "Now?" must not answer "Now?" while still opted out).
    """
    key = f"{incoming.channel}:{incoming.conversation_key}"
    if incoming.command and incoming.command not in _CONSENT_COMMANDS:
        return f"{key}:{incoming.sender}"
    return key


_CONSENT_COMMANDS = frozenset({OPT_OUT_COMMAND, OPT_IN_COMMAND})
