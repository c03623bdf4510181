"""`ConversationStore`: recording messages exactly once and reading history.

The orchestrator makes two writes per message: `record_incoming` (dedup,
contact, conversation, message, and the history it needs, in one transaction)
and `record_reply` (the answer and its model call, in another). The history
read with the first is `memory.history`'s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.contacts import Address, ContactDirectory
from memory.db import Database
from memory.history import HistoryEntry, read_history
from memory.incoming import incoming_statements
from memory.model_calls import CallUsage, insert_model_calls
from memory.models import Conversation, Message, utcnow
from memory.outgoing import insert_outgoing, sent_external_id

# Core tables, not mapped classes: the hot path needs no ORM unit of work, and
# Core statements cost noticeably less Python per message.
MESSAGES = Message.__table__
CONVERSATIONS = Conversation.__table__
# Built once, run with parameters: once per reply sent, and building the statement
# per call cost more CPU than its round trip.
_MARK_SENT = (
    update(MESSAGES)
    .where(MESSAGES.c.id == bindparam("message_id"))
    .values(external_id=bindparam("sent_external_id"), send_state="sent")
)


@dataclass(frozen=True, slots=True)
class RecordedMessage:
    """An incoming message that was new, with what answering it needs."""

    message_id: int
    channel: str
    contact_id: int
    conversation_id: int
    #: The agent serving this conversation so far, if any.
    conversation_agent: str | None
    contact_name: str | None
    contact_facts: dict[str, Any]
    #: Earlier messages of this contact on every channel, oldest first.
    history: list[HistoryEntry]
    #: A person has the conversation (a handoff): the bot does not answer it.
    handed_off: bool = False


#: Runs in the transaction that stores a new incoming message: (session, message id).
StoredHook = Callable[[AsyncSession, int], Awaitable[None]]


class ConversationStore:
    """Messages, conversations and model calls."""

    def __init__(self, db: Database, contacts: ContactDirectory) -> None:
        self.db = db
        self.contacts = contacts
        self._touch, self._insert_incoming = incoming_statements(db)

    async def record_incoming(
        self,
        *,
        channel: str,
        conversation_key: str,
        addresses: Sequence[Address],
        text: str,
        external_id: str | None,
        display_name: str | None = None,
        history_limit: int = 20,
        meta: dict[str, Any] | None = None,
        on_stored: StoredHook | None = None,
    ) -> RecordedMessage | None:
        """Store an incoming message; None when this delivery was already stored.

        ``on_stored(session, message_id)`` runs in the same transaction once the
        message is new (the pipeline schedules its answer there: both or neither).
        """
        async with self.db.transaction() as session:
            contact = await self.contacts.resolve(session, addresses, display_name=display_name)
            conversation_id, agent, handed_off_at = await self._touch_conversation(
                session, channel, conversation_key, contact.id
            )
            message_id = await session.scalar(
                self._insert_incoming,
                {
                    "m_conversation": conversation_id,
                    "m_contact": contact.id,
                    "m_channel": channel,
                    "m_external": external_id,
                    "m_text": text,
                    "m_now": utcnow(),
                    "m_meta": meta or {},
                },
            )
            if message_id is None:  # this delivery was stored before: a re-delivery
                return None
            if on_stored is not None:
                await on_stored(session, message_id)
            history = await read_history(session, contact.id, history_limit, before_id=message_id)
            return RecordedMessage(
                message_id=message_id,
                channel=channel,
                contact_id=contact.id,
                conversation_id=conversation_id,
                conversation_agent=agent,
                contact_name=contact.display_name,
                contact_facts=dict(contact.facts or {}),
                history=history,
                handed_off=handed_off_at is not None,
            )

    async def record_reply(
        self,
        incoming: RecordedMessage,
        *,
        text: str,
        agent: str,
        calls: Sequence[CallUsage],
        routing_reason: str,
        meta: dict[str, Any] | None = None,
        model_id: str | None = None,
        handoff_reason: str | None = None,
        serves_conversation: bool = True,
    ) -> int:
        """Store the reply and every model call behind it; return the reply's message id.

        ``model_id`` is the model that served the reply (the last call's by
        default); ``handoff_reason`` marks the conversation as handed to a person.
        ``serves_conversation=False`` (a command's answer) leaves the agent that
        serves the conversation as it was.
        """
        async with self.db.transaction() as session:
            changes: dict[str, Any] = {}
            if serves_conversation and agent != incoming.conversation_agent:
                changes["agent"] = agent
            if handoff_reason is not None:
                changes.update(handed_off_at=utcnow(), handoff_reason=handoff_reason)
            if changes:
                await session.execute(
                    update(CONVERSATIONS)
                    .where(CONVERSATIONS.c.id == incoming.conversation_id)
                    .values(**changes)
                )
            if model_id is None and calls:
                model_id = f"{calls[-1].provider}:{calls[-1].model}"
            reply_id = await insert_outgoing(
                session,
                conversation_id=incoming.conversation_id,
                contact_id=incoming.contact_id,
                channel=incoming.channel,
                text=text,
                agent=agent,
                meta={"model": model_id, **(meta or {})},
                reply_to_id=incoming.message_id,
                send_state="pending",
            )
            await insert_model_calls(
                session,
                calls,
                agent=agent,
                contact_id=incoming.contact_id,
                message_id=reply_id,
                routing_reason=routing_reason,
            )
            return reply_id

    async def record_calls(
        self,
        calls: Sequence[CallUsage],
        *,
        agent: str | None = None,
        contact_id: int | None = None,
        message_id: int | None = None,
    ) -> None:
        """Log model calls that produced no stored reply (a failed answer, /compare, /enrich)."""
        async with self.db.transaction() as session:
            await insert_model_calls(
                session, calls, agent=agent, contact_id=contact_id, message_id=message_id
            )

    async def mark_sent(self, message_id: int, sent_ids: Sequence[str]) -> None:
        """Note the channel's ids for a stored reply, so delivery reports can find it.

        The first id becomes the message's ``external_id`` (``out:<id>``); a
        reply sent in several parts also lists them all in ``meta["sent_ids"]``.
        """
        if not sent_ids:
            return
        changes: dict[str, Any] = {
            "external_id": sent_external_id(sent_ids[0]),
            "send_state": "sent",
        }
        statement = update(MESSAGES).where(MESSAGES.c.id == message_id)
        if len(sent_ids) == 1:  # one statement: atomic by itself
            async with self.db.one_write() as session:
                await session.execute(
                    _MARK_SENT,
                    {"message_id": message_id, "sent_external_id": changes["external_id"]},
                )
            return
        async with self.db.transaction() as session:
            # A reply split in parts: keep every part's id.
            meta = await session.scalar(select(MESSAGES.c.meta).where(MESSAGES.c.id == message_id))
            changes["meta"] = {**(meta or {}), "sent_ids": list(sent_ids)}
            await session.execute(statement.values(**changes))

    async def record_delivery(
        self, channel: str, sent_id: str, *, status: str, error: str | None = None
    ) -> bool:
        """Put a delivery report on the sent message's meta; False if no message has the id."""
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(MESSAGES.c.id, MESSAGES.c.meta).where(
                        MESSAGES.c.channel == channel,
                        MESSAGES.c.external_id == sent_external_id(sent_id),
                    )
                )
            ).one_or_none()
            if row is None:
                return False
            message_id, meta = row
            report = {"status": status, "error": error, "at": utcnow().isoformat()}
            await session.execute(
                update(MESSAGES)
                .where(MESSAGES.c.id == message_id)
                .values(meta={**(meta or {}), "delivery": report})
            )
        return True

    async def reply_to(self, channel: str, external_id: str) -> str | None:
        """The text of the bot's reply to a delivered message, if it has one."""
        async with self.db.sessions() as session:
            incoming = select(MESSAGES.c.id).where(
                MESSAGES.c.channel == channel, MESSAGES.c.external_id == external_id
            )
            return await session.scalar(
                select(MESSAGES.c.text)
                .where(MESSAGES.c.reply_to_id == incoming.scalar_subquery())
                .order_by(MESSAGES.c.id)
                .limit(1)
            )

    async def history(self, contact_id: int, *, limit: int = 20) -> list[HistoryEntry]:
        """A contact's newest ``limit`` messages on every channel, oldest first."""
        async with self.db.sessions() as session:
            return await read_history(session, contact_id, limit)

    async def _touch_conversation(
        self, session: AsyncSession, channel: str, key: str, contact_id: int
    ) -> tuple[int, str | None, datetime | None]:
        """Create or update the conversation in one statement; return its id, agent and
        when it was handed to a person (None when the bot has it).

        The contact is rewritten too, for a conversation whose contact was merged.
        """
        parameters = {
            "c_channel": channel,
            "c_key": key,
            "c_contact": contact_id,
            "c_now": utcnow(),
        }
        conversation_id, agent, handed_off_at = (
            await session.execute(self._touch, parameters)
        ).one()
        return conversation_id, agent, handed_off_at
