"""`HandoffStore`: conversations handed to a person, their ops thread, and the team's replies.

A conversation is handed off while ``conversations.handed_off_at`` is set: the
bot stays silent on it. ``handoff_reason`` stays after a release, as the
record of why the last handoff happened; ``ops_thread`` (``channel:ts`` of the
team's alert) is how a reply in that thread finds the conversation again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, update

from memory.db import Database, rows_changed
from memory.models import Conversation, Identity, utcnow
from memory.outgoing import insert_outgoing

CONVERSATIONS = Conversation.__table__
IDENTITIES = Identity.__table__


@dataclass(frozen=True, slots=True)
class HandedOff:
    """A conversation as a handoff needs it: where the customer is, and the team's thread."""

    conversation_id: int
    contact_id: int
    channel: str
    #: The conversation key on its channel (the customer's phone, a Telegram chat id).
    key: str
    handed_off_at: datetime | None
    reason: str | None
    ops_thread: str | None

    @property
    def active(self) -> bool:
        """Whether a person has the conversation now (the bot stays silent)."""
        return self.handed_off_at is not None


_COLUMNS = (
    CONVERSATIONS.c.id,
    CONVERSATIONS.c.contact_id,
    CONVERSATIONS.c.channel,
    CONVERSATIONS.c.key,
    CONVERSATIONS.c.handed_off_at,
    CONVERSATIONS.c.handoff_reason,
    CONVERSATIONS.c.ops_thread,
)


class HandoffStore:
    """Reads and changes the handoff state of conversations."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, conversation_id: int) -> HandedOff | None:
        """The conversation ``conversation_id``, or None when there is none."""
        return await self._one(CONVERSATIONS.c.id == conversation_id)

    async def by_thread(self, ops_thread: str) -> HandedOff | None:
        """The conversation whose alert is ``ops_thread`` (``channel:ts``), handed off or not."""
        return await self._one(CONVERSATIONS.c.ops_thread == ops_thread)

    async def active(self, *, limit: int = 50) -> list[HandedOff]:
        """Conversations a person has now, oldest handoff first."""
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(*_COLUMNS)
                .where(CONVERSATIONS.c.handed_off_at.is_not(None))
                .order_by(CONVERSATIONS.c.handed_off_at)
                .limit(limit)
            )
            return [HandedOff(*row) for row in rows.all()]

    async def mark(
        self, conversation_id: int, *, reason: str, ops_thread: str | None, silence: bool
    ) -> None:
        """Record a handoff; ``silence`` (the team was alerted) makes the bot stay quiet."""
        async with self.db.transaction() as session:
            await session.execute(
                update(CONVERSATIONS)
                .where(CONVERSATIONS.c.id == conversation_id)
                .values(
                    handoff_reason=reason,
                    handed_off_at=utcnow() if silence else None,
                    ops_thread=ops_thread,
                )
            )

    async def release(self, conversation_id: int) -> bool:
        """Give the conversation back to the bot; False when it was not handed off."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(CONVERSATIONS)
                .where(
                    CONVERSATIONS.c.id == conversation_id,
                    CONVERSATIONS.c.handed_off_at.is_not(None),
                )
                .values(handed_off_at=None)
            )
            return bool(rows_changed(result))

    async def addresses(self, contact_id: int) -> list[tuple[str, str]]:
        """The contact's identities as (kind, external id), oldest first."""
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(IDENTITIES.c.kind, IDENTITIES.c.external_id)
                .where(IDENTITIES.c.contact_id == contact_id)
                .order_by(IDENTITIES.c.id)
            )
            return [(kind, value) for kind, value in rows.all()]

    async def record_team_reply(
        self,
        handed: HandedOff,
        *,
        text: str,
        author: str,
        author_id: str,
        sent_id: str | None,
        via: str = "slack",
    ) -> int:
        """Store what a team member sent the customer: an outgoing message by a person.

        ``agent`` stays null (no agent wrote it); ``meta`` says who did, and
        from where (``via``: slack or console).
        """
        async with self.db.transaction() as session:
            return await insert_outgoing(
                session,
                conversation_id=handed.conversation_id,
                contact_id=handed.contact_id,
                channel=handed.channel,
                text=text,
                agent=None,  # no agent wrote it; meta says who did
                meta={"by": "team", "author": author, "author_id": author_id, "via": via},
                sent_id=sent_id,
            )

    async def _one(self, condition: ColumnElement[bool]) -> HandedOff | None:
        async with self.db.sessions() as session:
            row = (await session.execute(select(*_COLUMNS).where(condition))).first()
        return HandedOff(*row) if row is not None else None
