"""`CompareStore`: /compare queries, their answers and the votes on them.

Two writes per compare: `admit` (the rate limit, the cache and the query row)
and `finish` (the answers, scores, ranks, the judge and the model calls).
Compares admitted or finished together share a transaction (group commit).
The admission's rate limit and cache are in `memory.compare_admissions`;
the records it reads and writes are in `memory.compare_records`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.compare_admissions import AdmitRequest, admit_all
from memory.compare_reads import (
    ANSWERS,
    QUERIES,
    answer_from_row,
    aware,
    compare_fields,
    load_compare,
    model_stats,
)
from memory.compare_records import (
    Admission,
    ModelStats,
    NewCompare,
    StoredAnswer,
    StoredCompare,
    VoteKind,
    question_key,
)
from memory.db import Database
from memory.model_calls import CallUsage, insert_model_calls
from memory.models import CompareFeedback, utcnow
from memory.write_group import WriteGroup

__all__ = [
    "Admission",
    "CompareStore",
    "ModelStats",
    "NewCompare",
    "StoredAnswer",
    "StoredCompare",
    "VoteKind",
    "question_key",
]


@dataclass(frozen=True, slots=True)
class _Finish:
    compare: StoredCompare
    calls: tuple[CallUsage, ...]
    agent: str
    contact_id: int | None


class CompareStore:
    """Compare queries, answers and feedback in the database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # 100 compares at once would otherwise queue for 200 transactions of their own.
        self._admissions: WriteGroup[AdmitRequest, Admission] = WriteGroup(
            db, self._write_admissions
        )
        self._finishes: WriteGroup[_Finish, None] = WriteGroup(db, self._write_finishes)

    async def admit(
        self,
        new: NewCompare,
        *,
        rate_limit: int,
        window_s: float = 60.0,
        cache_ttl_s: float = 3600.0,
        fresh: bool = False,
    ) -> Admission:
        """Check the asker's rate limit, look for a cached result, and record the query.

        At most ``rate_limit`` compares per asker within ``window_s`` seconds,
        cached ones included. Unless ``fresh``, a finished compare of the same
        `question_key` within ``cache_ttl_s`` is reused. Admissions that arrive
        together share one transaction (`memory.write_group`).
        """
        return await self._admissions.submit(
            AdmitRequest(new, rate_limit, window_s, cache_ttl_s, fresh)
        )

    async def _write_admissions(
        self, session: AsyncSession, admits: list[AdmitRequest]
    ) -> list[Admission | Exception]:
        return await admit_all(session, admits, dialect=self.db.dialect)

    async def finish(
        self,
        compare: StoredCompare,
        *,
        calls: Sequence[CallUsage] = (),
        agent: str = "/compare",
        contact_id: int | None = None,
    ) -> None:
        """Store the answers and outcome of a compare `admit` recorded, and its model calls.

        The calls go to ``model_calls`` (where spend is counted) in the same
        transaction. Compares that finish together share one transaction.
        """
        await self._finishes.submit(_Finish(compare, tuple(calls), agent, contact_id))

    async def _write_finishes(
        self, session: AsyncSession, finishes: list[_Finish]
    ) -> list[Exception | None]:
        for finish in finishes:
            await self._finish_one(session, finish)
        return [None] * len(finishes)

    async def _finish_one(self, session: AsyncSession, finish: _Finish) -> None:
        compare, calls = finish.compare, finish.calls
        agent, contact_id = finish.agent, finish.contact_id
        # The same rows `ConversationStore.record_calls` writes, in this transaction:
        # one write per compare instead of two (100 compares at once must stay fast).
        await insert_model_calls(
            session, calls, agent=agent, contact_id=contact_id, message_id=None
        )
        if compare.answers:
            await session.execute(
                insert(ANSWERS),
                [
                    {
                        "query_id": compare.id,
                        "position": a.position,
                        "model_id": a.model_id,
                        "status": a.status,
                        "text": a.text,
                        "error": a.error,
                        "latency_ms": a.latency_ms,
                        "input_tokens": a.input_tokens,
                        "output_tokens": a.output_tokens,
                        "cost_usd": a.cost_usd,
                        "score": a.score,
                        "score_details": a.score_details,
                        "rank": a.rank,
                    }
                    for a in compare.answers
                ],
            )
        await session.execute(
            update(QUERIES)
            .where(QUERIES.c.id == compare.id)
            .values(
                status=compare.status,
                notes=list(compare.notes),
                judge=compare.judge,
                wall_ms=compare.wall_ms,
            )
        )

    async def fail(self, query_id: int, note: str) -> None:
        """Mark a compare that broke off (so the cache never serves it)."""
        async with self.db.transaction() as session:
            notes = await session.scalar(select(QUERIES.c.notes).where(QUERIES.c.id == query_id))
            await session.execute(
                update(QUERIES)
                .where(QUERIES.c.id == query_id)
                .values(status="failed", notes=[*(notes or []), note])
            )

    async def get(self, query_id: int) -> StoredCompare | None:
        """The compare ``query_id``, with its answers (a cached one's come from its source)."""
        async with self.db.sessions() as session:
            row = (await session.execute(select(QUERIES).where(QUERIES.c.id == query_id))).first()
            if row is None:
                return None
            if row.cached_from_id is None:
                return await load_compare(session, row)
            source = await self.get(row.cached_from_id)
            if source is None:
                return None
            return StoredCompare(
                **{
                    **compare_fields(source),
                    "id": row.id,
                    "question": row.question,
                    "asker": row.asker,
                    "channel": row.channel,
                    "created_at": aware(row.created_at),
                    "cached_from_id": source.id,
                }
            )

    async def vote(
        self, query_id: int, position: int, *, voter: str, kind: VoteKind
    ) -> StoredAnswer | None:
        """Record ``voter``'s vote on answer ``position``; None when there is no such answer.

        One vote per voter and slot (the best answer; thumbs per answer):
        voting again replaces the earlier vote.
        """
        async with self.db.transaction() as session:
            source = await session.scalar(
                select(func.coalesce(QUERIES.c.cached_from_id, QUERIES.c.id)).where(
                    QUERIES.c.id == query_id
                )
            )
            if source is None:
                return None
            row = (
                await session.execute(
                    select(ANSWERS).where(
                        ANSWERS.c.query_id == source, ANSWERS.c.position == position
                    )
                )
            ).first()
            if row is None:
                return None
            slot = "best" if kind == "best" else f"answer:{row.id}"
            values = {"answer_id": row.id, "kind": kind, "created_at": utcnow()}
            await session.execute(
                self.db.upsert(
                    CompareFeedback,
                    index_elements=["query_id", "voter", "slot"],
                    set_=values,
                ).values(query_id=source, voter=voter, slot=slot, **values)
            )
            return answer_from_row(row)

    async def stats(self) -> list[ModelStats]:
        """Every model that answered a compare, with its votes; the most wins first."""
        async with self.db.sessions() as session:
            return await model_stats(session)
