"""`CompareHistory`: the list of past /compare queries and the votes cast on each.

Read-only, for the team console's compares pages; votes are cast through
`memory.compare.CompareStore.vote` (via `CompareService.vote`), as on Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from memory.db import Database
from memory.models import CompareAnswer, CompareFeedback, CompareQuery

QUERIES = CompareQuery.__table__
ANSWERS = CompareAnswer.__table__
FEEDBACK = CompareFeedback.__table__


@dataclass(frozen=True, slots=True)
class CompareListing:
    """One line of the compare history."""

    id: int
    question: str
    asker: str
    channel: str
    created_at: datetime
    status: str
    models: tuple[str, ...]
    cached_from_id: int | None
    #: Best-answer votes cast on it (on its source, for a cached compare).
    best_votes: int = 0


@dataclass(frozen=True, slots=True)
class AnswerVotes:
    """The votes on one answer of a compare."""

    best: int = 0
    up: int = 0
    down: int = 0
    #: Who voted, with what: ``(voter, kind)``.
    voters: tuple[tuple[str, str], ...] = field(default_factory=tuple)


class CompareHistory:
    """Read-only queries over the compare tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def recent(
        self, *, limit: int = 50, before_id: int | None = None
    ) -> list[CompareListing]:
        """The newest compares first (older than ``before_id`` when given)."""
        q = QUERIES.c
        query = select(
            q.id,
            q.question,
            q.asker,
            q.channel,
            q.created_at,
            q.status,
            q.models,
            q.cached_from_id,
        ).order_by(q.id.desc())
        if before_id is not None:
            query = query.where(q.id < before_id)
        async with self.db.sessions() as session:
            rows = (await session.execute(query.limit(limit))).all()
            sources = {row.cached_from_id or row.id for row in rows}
            best: dict[int, int] = {}
            if sources:
                counted = await session.execute(
                    select(FEEDBACK.c.query_id, func.count())
                    .where(FEEDBACK.c.query_id.in_(sources), FEEDBACK.c.kind == "best")
                    .group_by(FEEDBACK.c.query_id)
                )
                best = {query_id: int(n) for query_id, n in counted.all()}
        return [
            CompareListing(
                *row[:6],
                models=tuple(row.models or ()),
                cached_from_id=row.cached_from_id,
                best_votes=best.get(row.cached_from_id or row.id, 0),
            )
            for row in rows
        ]

    async def votes(self, source_id: int) -> dict[int, AnswerVotes]:
        """The votes on each answer (by position) of the compare ``source_id``."""
        query = (
            select(ANSWERS.c.position, FEEDBACK.c.kind, FEEDBACK.c.voter)
            .select_from(FEEDBACK.join(ANSWERS, ANSWERS.c.id == FEEDBACK.c.answer_id))
            .where(FEEDBACK.c.query_id == source_id)
            .order_by(FEEDBACK.c.id)
        )
        async with self.db.sessions() as session:
            rows = (await session.execute(query)).all()
        tally: dict[int, dict[str, int]] = {}
        voters: dict[int, list[tuple[str, str]]] = {}
        for position, kind, voter in rows:
            counts = tally.setdefault(position, {"best": 0, "up": 0, "down": 0})
            if kind in counts:
                counts[kind] += 1
            voters.setdefault(position, []).append((voter, kind))
        return {
            position: AnswerVotes(**counts, voters=tuple(voters.get(position, ())))
            for position, counts in tally.items()
        }
