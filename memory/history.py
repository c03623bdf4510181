"""A contact's history: their past messages on every channel, as a prompt needs them.

Read where an incoming message is stored (`memory.conversations`) and where a
worker loads it again (`memory.pipeline`), with the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, and_, bindparam, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from memory.models import Message

MESSAGES = Message.__table__


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One past message, as a prompt needs it."""

    direction: str
    text: str
    channel: str
    agent: str | None
    created_at: datetime


def _history(*, before: bool) -> Select:
    """Newest first; served by ix_messages_contact_id_id alone, even at millions of rows."""
    m = MESSAGES.c
    query = select(m.direction, m.text, m.channel, m.agent, m.created_at).where(
        m.contact_id == bindparam("contact_id"),
        # Team commands and their output (/enrich's card, /help) are not the
        # conversation: a model shown them repeats them as a later answer.
        or_(m.agent.is_(None), not_(m.agent.startswith("/"))),
        not_(and_(m.direction == "in", m.text.startswith("/"), not_(m.text.startswith("/ask ")))),
    )
    if before:
        query = query.where(m.id < bindparam("before_id"))
    return query.order_by(m.id.desc()).limit(bindparam("limit", type_=Integer))


# Built once, run with parameters: every answer reads a history, and building the
# statement (and its cache key) per call cost more CPU than its round trip.
_HISTORY = _history(before=False)
_HISTORY_BEFORE = _history(before=True)


def _parameters(contact_id: int, limit: int, before_id: int | None) -> dict[str, int]:
    parameters = {"contact_id": contact_id, "limit": limit}
    if before_id is not None:
        parameters["before_id"] = before_id
    return parameters


def history_statement(contact_id: int, limit: int, *, before_id: int | None) -> Select:
    """The history query with its values bound (for EXPLAIN; `read_history` runs it)."""
    statement = _HISTORY if before_id is None else _HISTORY_BEFORE
    return statement.params(_parameters(contact_id, limit, before_id))


async def read_history(
    session: AsyncSession, contact_id: int, limit: int, *, before_id: int | None = None
) -> list[HistoryEntry]:
    """A contact's newest ``limit`` messages (before ``before_id``), oldest first."""
    if limit <= 0:
        return []
    statement = _HISTORY if before_id is None else _HISTORY_BEFORE
    rows = await session.execute(statement, _parameters(contact_id, limit, before_id))
    return [HistoryEntry(*row) for row in reversed(rows.all())]
