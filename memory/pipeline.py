"""`PipelineStore`: what the answering pipeline reads and writes about one message.

A worker answers from the database alone: `load` gives the stored incoming
message with everything answering it needs, and the replies already stored
for it, so a job that runs twice (its first worker died) sees what the first
run did. `unhandled` lists what a start-up sweep must still answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from memory.conversations import ConversationStore, RecordedMessage
from memory.db import Database, rows_changed
from memory.history import read_history
from memory.merges import surviving_contact
from memory.models import Conversation, Message, utcnow

#: A stored reply not yet handed to the channel: safe to send.
PENDING = "pending"
#: Handed to the channel, no answer recorded yet: if the process dies now, nobody knows.
SENDING = "sending"
SENT = "sent"
#: Not sent on purpose (opted out, no channel here to send on).
NOT_SENT = "not_sent"
#: A send whose worker died in it: maybe delivered, never sent again.
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class StoredReply:
    """A reply already stored for a message, and how far its send got."""

    message_id: int
    text: str
    send_state: str | None


@dataclass(frozen=True, slots=True)
class StoredIncoming:
    """An incoming message as a worker finds it."""

    recorded: RecordedMessage
    text: str
    external_id: str | None
    meta: dict[str, Any]
    created_at: datetime
    handled: bool
    replies: tuple[StoredReply, ...]


# Built once, run with parameters: each runs once or twice per answer, and building a
# statement (and its cache key) per call cost more CPU than its round trip.
_m, _c = Message.__table__.c, Conversation.__table__.c
_LOAD = (
    select(
        _m.channel, _m.text, _m.external_id, _m.meta, _m.created_at, _m.handled_at,
        _m.conversation_id, _m.contact_id, _c.agent, _c.handed_off_at,
    )
    .join(Conversation.__table__, _c.id == _m.conversation_id)
    .where(_m.id == bindparam("message_id"), _m.direction == "in")
)  # fmt: skip
_REPLIES = (
    select(_m.id, _m.text, _m.send_state)
    .where(_m.reply_to_id == bindparam("message_id"), _m.direction == "out")
    .order_by(_m.id)
)
_MARK_HANDLED = (
    update(Message.__table__)
    .where(_m.id == bindparam("message_id"))
    .values(handled_at=bindparam("now"))
)
_SET_STATE = (
    update(Message.__table__)
    .where(_m.id == bindparam("message_id"))
    .values(send_state=bindparam("state"))
)
_SET_STATE_FROM = _SET_STATE.where(_m.send_state == bindparam("only_from"))


class PipelineStore:
    """Reads and marks for `bot.pipeline`."""

    def __init__(self, db: Database, conversations: ConversationStore) -> None:
        self.db = db
        self.conversations = conversations

    async def load(self, message_id: int, *, history_limit: int) -> StoredIncoming | None:
        """The incoming message ``message_id``; None when there is none (rolled back)."""
        async with self.db.reads() as session:
            row = (await session.execute(_LOAD, {"message_id": message_id})).one_or_none()
            if row is None:
                return None
            replies = await session.execute(_REPLIES, {"message_id": message_id})
            contact = await surviving_contact(session, row.contact_id)
            contact_id = contact.id if contact else row.contact_id
            history = await read_history(session, contact_id, history_limit, before_id=message_id)
        recorded = RecordedMessage(
            message_id=message_id,
            channel=row.channel,
            contact_id=contact_id,
            conversation_id=row.conversation_id,
            conversation_agent=row.agent,
            contact_name=contact.display_name if contact else None,
            contact_facts=dict((contact.facts if contact else None) or {}),
            history=history,
            handed_off=row.handed_off_at is not None,
        )
        return StoredIncoming(
            recorded=recorded,
            text=row.text,
            external_id=row.external_id,
            meta=dict(row.meta or {}),
            created_at=row.created_at,
            handled=row.handled_at is not None,
            replies=tuple(StoredReply(*reply) for reply in replies),
        )

    async def mark_handled(self, message_id: int) -> None:
        """The job of ``message_id`` is done: a sweep or a second run leaves it alone."""
        async with self.db.one_write() as session:
            await session.execute(_MARK_HANDLED, {"message_id": message_id, "now": utcnow()})

    async def mark_cancelled(self, message_id: int) -> None:
        """The asker stopped the answer (Ctrl-C in `bot chat`): never answered, by a sweep
        either; ``meta["cancelled"]`` says why it has no reply."""
        m = Message.__table__.c
        async with self.db.transaction() as session:
            meta = await session.scalar(select(m.meta).where(m.id == message_id))
            await session.execute(
                update(Message.__table__)
                .where(m.id == message_id)
                .values(handled_at=utcnow(), meta={**(meta or {}), "cancelled": True})
            )

    async def set_send_state(
        self, message_id: int, state: str, *, only_from: str | None = None
    ) -> bool:
        """Move a stored reply to ``state`` (from ``only_from`` if given); False if it was not."""
        parameters = {"message_id": message_id, "state": state}
        statement = _SET_STATE
        if only_from is not None:
            statement, parameters["only_from"] = _SET_STATE_FROM, only_from
        async with self.db.one_write() as session:
            result = await session.execute(statement, parameters)
        return bool(rows_changed(result))

    async def unhandled(
        self, *, since: datetime, channels: Sequence[str], limit: int = 10_000
    ) -> list[int]:
        """Incoming messages since ``since`` on ``channels`` whose job never finished, oldest
        first, leaving out handed-off conversations.

        A message whose reply is stored but whose job did not finish is included: the
        process may have died before the send (the job then sends it) or during it (the
        job records the outcome as unknown), see `bot.pipeline.worker`.
        """
        m = Message.__table__.c
        c = Conversation.__table__.c
        query = (
            select(m.id)
            .join(Conversation.__table__, c.id == m.conversation_id)
            .where(
                m.direction == "in",
                m.handled_at.is_(None),
                m.created_at >= since,
                m.channel.in_(list(channels)),
                c.handed_off_at.is_(None),
            )
            .order_by(m.id)
            .limit(limit)
        )
        async with self.db.sessions() as session:
            return list((await session.scalars(query)).all())

    async def unknown_sends(self) -> int:
        """How many replies were recorded as sent-or-not-unknown (a worker died sending)."""
        m = Message.__table__.c
        async with self.db.sessions() as session:
            count = await session.scalar(
                select(func.count()).select_from(Message.__table__).where(m.send_state == UNKNOWN)
            )
        return int(count or 0)
