"""`purge_old_text`: what a retention period removes, and what it keeps.

Messages older than the period keep their row (ids, channel, direction,
agent, times, links) so counts, costs and threads still add up; their words
become ``[removed after N days]`` and their ``meta`` keeps only the keys
that hold no person's data (the model, sent ids, which paths ran). Model-call
text stored beside the calls (the hybrid's tutor pairs, /compare questions and
answers) is cleared the same way. ``model_calls`` rows hold no prompt or
reply, so they are left whole: `bot costs` reads the same figures after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from memory.db import Database, rows_changed
from memory.models import CompareAnswer, CompareQuery, Message, TutorPair

#: Meta keys that say how a message was handled, never who wrote it or what it said.
#: Everything else ("incoming" with the sender and extras, "author", "delivery",
#: "handoff" reasons, "quote", "citations", "answer", ...) is dropped.
KEPT_META = frozenset(
    {"model", "sent_ids", "inbound_limit", "fallback", "hybrid", "skipped", "tool", "by"}
)
#: How many messages one transaction rewrites: short transactions, bounded memory.
BATCH = 500


def removed_text(days: int) -> str:
    """What an anonymised message's text reads."""
    return f"[removed after {days} days]"


@dataclass(frozen=True)
class PurgeReport:
    """How many rows a purge changed (or, dry, would change)."""

    messages: int
    tutor_pairs: int
    compare_queries: int
    compare_answers: int


async def purge_old_text(
    db: Database, *, days: int, now: datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Anonymise what is older than ``days``; idempotent (done rows are skipped)."""
    if days <= 0:
        raise ValueError("a retention period is a positive number of days")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    marker = removed_text(days)
    old_messages = (Message.created_at < cutoff) & (Message.text != marker)
    old_pairs = (TutorPair.created_at < cutoff) & (TutorPair.student_text != "")
    old_queries = (CompareQuery.created_at < cutoff) & (CompareQuery.question != marker)
    old_answers = CompareAnswer.query_id.in_(
        select(CompareQuery.id).where(CompareQuery.created_at < cutoff)
    ) & (CompareAnswer.text != "")
    if dry_run:
        async with db.sessions() as session:
            counts = [
                int(await session.scalar(select(func.count()).where(where)) or 0)
                for where in (old_messages, old_pairs, old_queries, old_answers)
            ]
        return PurgeReport(*counts)
    messages = 0
    while True:  # in batches: a year of messages is not one transaction
        async with db.transaction() as session:
            rows = (
                await session.execute(
                    select(Message.id, Message.meta).where(old_messages).limit(BATCH)
                )
            ).all()
            for message_id, meta in rows:
                kept = {k: v for k, v in (meta or {}).items() if k in KEPT_META}
                await session.execute(
                    update(Message)
                    .where(Message.id == message_id)
                    .values(text=marker, meta={**kept, "removed_after_days": days})
                )
        messages += len(rows)
        if len(rows) < BATCH:
            break
    async with db.transaction() as session:
        pairs = await session.execute(
            update(TutorPair).where(old_pairs).values(prompt=[], student_text="", teacher_text=None)
        )
        answers = await session.execute(update(CompareAnswer).where(old_answers).values(text=""))
        queries = await session.execute(
            update(CompareQuery).where(old_queries).values(question=marker)
        )
    return PurgeReport(messages, rows_changed(pairs), rows_changed(queries), rows_changed(answers))
