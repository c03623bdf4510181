"""`InboundLimitStore`: how much one sender sent lately, and who was told they sent too much.

Both questions go to the database, so every process (several uvicorn
workers, several machines) sees the same counts and the same claims:

- `sent_since` counts a contact's stored incoming messages from a moment up
  to a given message, on the ``(contact_id, created_at)`` index, and stops
  counting past a cap: a flood of a million messages costs no more to
  count than the limit does.
- `claim` inserts one ``inbound_limit_hits`` row per sender, limit and
  window; its unique key lets exactly one process win, and only the winner
  tells the sender and the team.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select, update

from memory.db import Database
from memory.models import InboundLimitHit, Message, utcnow

MESSAGES = Message.__table__
HITS = InboundLimitHit.__table__


@cache
def _counts_statement(windows: int) -> Select:
    """Counts for ``windows`` windows, built once per number of windows (every message's
    job runs it; building it per call cost more CPU than its round trip)."""
    c = MESSAGES.c
    counts = []
    for n in range(windows):
        recent = (
            select(c.id)
            .where(
                c.contact_id == bindparam("contact_id"),
                c.created_at >= bindparam(f"since_{n}"),
                c.id <= bindparam("up_to"),
                c.direction == "in",
            )
            .limit(bindparam(f"at_most_{n}", type_=Integer))
        )
        counts.append(select(func.count()).select_from(recent.subquery()).scalar_subquery())
    return select(*counts)


class InboundLimitStore:
    """Counts of recent incoming messages per contact, and the once-per-window claims."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def sent_since(
        self, contact_id: int, since: datetime, *, up_to_message: int, at_most: int
    ) -> int:
        """Incoming messages of ``contact_id`` stored at ``since`` or later, up to and
        including the message ``up_to_message``; the count stops at ``at_most``.

        Counting up to a message (not up to now) gives each message the same
        count whenever it is checked: messages stored after it do not change it.
        """
        [count] = await self.sent_since_each(
            contact_id, [(since, at_most)], up_to_message=up_to_message
        )
        return count

    async def sent_since_each(
        self, contact_id: int, windows: Sequence[tuple[datetime, int]], *, up_to_message: int
    ) -> list[int]:
        """`sent_since` for each ``(since, at_most)`` window, in one statement.

        One statement, not one per window: every message's job checks its
        daily and burst limits, and each read of its own costs a transaction.
        """
        if not windows:
            return []
        parameters: dict[str, Any] = {"contact_id": contact_id, "up_to": up_to_message}
        for n, (since, at_most) in enumerate(windows):
            parameters[f"since_{n}"], parameters[f"at_most_{n}"] = since, at_most
        async with self.db.reads() as session:
            row = (await session.execute(_counts_statement(len(windows)), parameters)).one()
        return [int(count) for count in row]

    async def first_since(self, contact_id: int, since: datetime, *, up_to_message: int) -> int:
        """The id of ``contact_id``'s first incoming message stored at ``since`` or later
        (``up_to_message`` itself when there is none before it): what names a burst."""
        c = MESSAGES.c
        query = select(func.min(c.id)).where(
            c.contact_id == contact_id,
            c.created_at >= since,
            c.id <= up_to_message,
            c.direction == "in",
        )
        async with self.db.sessions() as session:
            return int(await session.scalar(query) or up_to_message)

    async def claim(
        self, *, contact_id: int, limit: str, window: str, channel: str, message_id: int
    ) -> bool:
        """Record that ``contact_id`` went past ``limit`` in ``window``; True for the
        first claim of that window anywhere, False for every later one."""
        statement = (
            self.db.insert_ignoring_conflicts(HITS)
            .values(
                contact_id=contact_id,
                limit=limit,
                window=window,
                channel=channel,
                message_id=message_id,
                created_at=utcnow(),
            )
            .returning(HITS.c.id)
        )
        async with self.db.transaction() as session:
            return await session.scalar(statement) is not None

    async def claimed_since(self, contact_id: int, limit: str, since: datetime) -> bool:
        """Whether ``contact_id`` was past ``limit`` (and claimed it) at ``since`` or later."""
        c = HITS.c
        query = select(c.id).where(
            c.contact_id == contact_id, c.limit == limit, c.created_at >= since
        )
        async with self.db.sessions() as session:
            return await session.scalar(query.limit(1)) is not None

    async def mark_unanswered(self, message_id: int, limit: str) -> None:
        """Note on the stored message that it was past ``limit`` and is not answered."""
        async with self.db.transaction() as session:
            meta = await session.scalar(select(MESSAGES.c.meta).where(MESSAGES.c.id == message_id))
            await session.execute(
                update(MESSAGES)
                .where(MESSAGES.c.id == message_id)
                .values(meta={**(meta or {}), "inbound_limit": limit})
            )
