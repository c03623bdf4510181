"""`ContactTimeline`: what the team console reads about conversations and contacts.

Read-only: the latest conversation of each contact (channel, agent, whether a
person has it), and one contact's whole history across channels with, for
each bot reply, the model calls behind it (count and cost). Everything else a
reply carries (model, citations, grounding notes, who of the team wrote it)
is in the message's ``meta``, as the orchestrator and the handoff desk stored it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from memory.db import Database
from memory.models import Contact, Conversation, Identity, Message, ModelCall

CONTACTS = Contact.__table__
CONVERSATIONS = Conversation.__table__
IDENTITIES = Identity.__table__
MESSAGES = Message.__table__
MODEL_CALLS = ModelCall.__table__

#: Conversations read to find the latest per contact (a contact has only a few).
_SCAN_FACTOR = 5


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A contact's latest conversation, as the console's list shows it."""

    conversation_id: int
    contact_id: int
    contact_name: str | None
    channel: str
    agent: str | None
    updated_at: datetime
    handed_off_at: datetime | None
    handoff_reason: str | None
    last_text: str = ""
    last_direction: str = ""
    #: The contact's first address (``phone:+1555...``): who it is when no name is known.
    address: str | None = None

    @property
    def state(self) -> str:
        """``with the team`` while a person has it, else ``bot``."""
        return "with the team" if self.handed_off_at is not None else "bot"


@dataclass(frozen=True, slots=True)
class ContactCard:
    """Who a contact is: name and every address they reached the business from."""

    contact_id: int
    name: str | None
    created_at: datetime
    #: ``(kind, external id, opted out)``, oldest first.
    identities: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The name, else the first address (``phone:+1555...``), else ``contact <id>``."""
        if self.name:
            return self.name
        if self.identities:
            kind, value, _ = self.identities[0]
            return f"{kind}:{value}"
        return f"contact {self.contact_id}"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One message of a contact, with the cost of the model calls behind it."""

    message_id: int
    conversation_id: int
    channel: str
    direction: str
    text: str
    agent: str | None
    created_at: datetime
    meta: dict[str, Any]
    send_state: str | None
    calls: int = 0
    #: The known cost of its model calls; None when none had a price (or there were none).
    cost_usd: float | None = None

    @property
    def by_team(self) -> bool:
        """Written by a person of the team (a handoff reply), not the bot."""
        return self.direction == "out" and self.meta.get("by") == "team"


class ContactTimeline:
    """Read-only queries for the team console."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def latest_conversations(self, *, limit: int = 100) -> list[ConversationSummary]:
        """Each contact's most recently active conversation, newest first."""
        c = CONVERSATIONS.c
        query = (
            select(
                c.id,
                c.contact_id,
                CONTACTS.c.display_name,
                c.channel,
                c.agent,
                c.updated_at,
                c.handed_off_at,
                c.handoff_reason,
            )
            .join(CONTACTS, CONTACTS.c.id == c.contact_id)
            .order_by(c.updated_at.desc(), c.id.desc())
            .limit(limit * _SCAN_FACTOR)
        )
        async with self.db.sessions() as session:
            rows = (await session.execute(query)).all()
            latest: dict[int, ConversationSummary] = {}
            for row in rows:
                if row.contact_id not in latest:
                    latest[row.contact_id] = ConversationSummary(*row)
            chosen = list(latest.values())[:limit]
            last = await self._last_messages(session, [s.conversation_id for s in chosen])
            addresses = await self._first_addresses(session, [s.contact_id for s in chosen])
        return [
            replace(
                s,
                last_text=last.get(s.conversation_id, ("", ""))[0],
                last_direction=last.get(s.conversation_id, ("", ""))[1],
                address=addresses.get(s.contact_id),
            )
            for s in chosen
        ]

    async def contact(self, contact_id: int) -> ContactCard | None:
        """The contact ``contact_id`` and its addresses, or None when there is none."""
        async with self.db.sessions() as session:
            row = (
                await session.execute(
                    select(CONTACTS.c.id, CONTACTS.c.display_name, CONTACTS.c.created_at).where(
                        CONTACTS.c.id == contact_id
                    )
                )
            ).first()
            if row is None:
                return None
            identities = await session.execute(
                select(IDENTITIES.c.kind, IDENTITIES.c.external_id, IDENTITIES.c.opted_out_at)
                .where(IDENTITIES.c.contact_id == contact_id)
                .order_by(IDENTITIES.c.id)
            )
            return ContactCard(
                contact_id=row.id,
                name=row.display_name,
                created_at=row.created_at,
                identities=[(k, v, out is not None) for k, v, out in identities.all()],
            )

    async def timeline(self, contact_id: int, *, limit: int = 200) -> list[TimelineEntry]:
        """The contact's newest ``limit`` messages on every channel, oldest first."""
        m = MESSAGES.c
        query = (
            select(
                m.id,
                m.conversation_id,
                m.channel,
                m.direction,
                m.text,
                m.agent,
                m.created_at,
                m.meta,
                m.send_state,
            )
            .where(m.contact_id == contact_id)
            .order_by(m.id.desc())
            .limit(limit)
        )
        async with self.db.sessions() as session:
            rows = list(reversed((await session.execute(query)).all()))
            ids = [row.id for row in rows if row.direction == "out"]
            costs: dict[int, tuple[int, float | None]] = {}
            if ids:
                spent = await session.execute(
                    select(MODEL_CALLS.c.message_id, func.count(), func.sum(MODEL_CALLS.c.cost_usd))
                    .where(MODEL_CALLS.c.message_id.in_(ids))
                    .group_by(MODEL_CALLS.c.message_id)
                )
                costs = {mid: (int(n), cost) for mid, n, cost in spent.all()}
        return [
            TimelineEntry(
                message_id=row.id,
                conversation_id=row.conversation_id,
                channel=row.channel,
                direction=row.direction,
                text=row.text,
                agent=row.agent,
                created_at=row.created_at,
                meta=dict(row.meta or {}),
                send_state=row.send_state,
                calls=costs.get(row.id, (0, None))[0],
                cost_usd=costs.get(row.id, (0, None))[1],
            )
            for row in rows
        ]

    async def new_contacts(self, start: datetime, end: datetime) -> int:
        """Contacts first seen in ``[start, end)`` (a growth figure)."""
        c = CONTACTS.c
        async with self.db.sessions() as session:
            count = await session.scalar(
                select(func.count()).where(c.created_at >= start, c.created_at < end)
            )
        return int(count or 0)

    async def message_counts(self, start: datetime, end: datetime) -> dict[str, int]:
        """Messages received (``in``) and sent (``out``) in ``[start, end)``."""
        m = MESSAGES.c
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(m.direction, func.count())
                .where(m.created_at >= start, m.created_at < end)
                .group_by(m.direction)
            )
            counts = {direction: int(n) for direction, n in rows.all()}
        return {"in": counts.get("in", 0), "out": counts.get("out", 0)}

    @staticmethod
    async def _first_addresses(session: Any, contact_ids: list[int]) -> dict[int, str]:
        """Each contact's oldest address, as ``kind:value``."""
        if not contact_ids:
            return {}
        rows = await session.execute(
            select(IDENTITIES.c.contact_id, IDENTITIES.c.kind, IDENTITIES.c.external_id)
            .where(IDENTITIES.c.contact_id.in_(contact_ids))
            .order_by(IDENTITIES.c.id.desc())
        )
        # Newest first, so the oldest address of each contact is written last and stays.
        return {contact_id: f"{kind}:{value}" for contact_id, kind, value in rows.all()}

    @staticmethod
    async def _last_messages(session: Any, conversation_ids: list[int]) -> dict[int, tuple]:
        """The text and direction of each conversation's newest message."""
        if not conversation_ids:
            return {}
        newest = (
            select(func.max(MESSAGES.c.id))
            .where(MESSAGES.c.conversation_id.in_(conversation_ids))
            .group_by(MESSAGES.c.conversation_id)
        )
        rows = await session.execute(
            select(MESSAGES.c.conversation_id, MESSAGES.c.text, MESSAGES.c.direction).where(
                MESSAGES.c.id.in_(newest)
            )
        )
        return {cid: (text, direction) for cid, text, direction in rows.all()}
