"""Reading /compare back: one compare with its answers, and every model's win rates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from memory.compare_records import ModelStats, StoredAnswer, StoredCompare
from memory.models import CompareAnswer, CompareFeedback, CompareQuery

QUERIES = CompareQuery.__table__
ANSWERS = CompareAnswer.__table__
FEEDBACK = CompareFeedback.__table__


async def load_compare(session: AsyncSession, row: Any) -> StoredCompare:
    """The stored compare of query ``row``, with its answers in line-up order."""
    answers = await session.execute(
        select(ANSWERS).where(ANSWERS.c.query_id == row.id).order_by(ANSWERS.c.position)
    )
    return StoredCompare(
        id=row.id,
        question=row.question,
        asker=row.asker,
        channel=row.channel,
        created_at=aware(row.created_at),
        status=row.status,
        models=tuple(row.models or ()),
        notes=tuple(row.notes or ()),
        answers=tuple(answer_from_row(a) for a in answers),
        judge_model=row.judge_model,
        judge=row.judge,
        wall_ms=row.wall_ms,
        cached_from_id=row.cached_from_id,
    )


async def model_stats(session: AsyncSession) -> list[ModelStats]:
    """Every model that answered a compare, with its votes; the most wins first."""
    answer_model = ANSWERS.c.model_id
    voted = FEEDBACK.join(ANSWERS, ANSWERS.c.id == FEEDBACK.c.answer_id)
    compares = await session.execute(select(answer_model, func.count()).group_by(answer_model))
    # Each best vote on a compare is a contest for every model that answered it.
    contests = await session.execute(
        select(answer_model, func.count())
        .select_from(
            ANSWERS.join(
                FEEDBACK,
                (FEEDBACK.c.query_id == ANSWERS.c.query_id) & (FEEDBACK.c.kind == "best"),
            )
        )
        .group_by(answer_model)
    )
    votes = await session.execute(
        select(answer_model, FEEDBACK.c.kind, func.count())
        .select_from(voted)
        .group_by(answer_model, FEEDBACK.c.kind)
    )
    figures: dict[str, dict[str, int]] = {}
    for model, count in compares:
        figures.setdefault(model, {})["compares"] = int(count)
    for model, count in contests:
        figures.setdefault(model, {})["contests"] = int(count)
    for model, kind, count in votes:
        name = {"best": "wins", "up": "up", "down": "down"}.get(kind)
        if name:
            figures.setdefault(model, {})[name] = int(count)
    stats = [ModelStats(model, **counts) for model, counts in figures.items()]
    return sorted(
        stats, key=lambda s: (-(s.win_rate or 0.0), -s.wins, -(s.up - s.down), s.model_id)
    )


def answer_from_row(row: Any) -> StoredAnswer:
    """One stored answer row as a `StoredAnswer`."""
    return StoredAnswer(
        position=row.position,
        model_id=row.model_id,
        status=row.status,
        text=row.text,
        error=row.error,
        latency_ms=row.latency_ms,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost_usd=row.cost_usd,
        score=row.score,
        score_details=dict(row.score_details or {}),
        rank=row.rank,
    )


def compare_fields(compare: StoredCompare) -> dict[str, Any]:
    """``compare``'s fields by name, to copy it with some replaced."""
    # Not dataclasses.asdict: that would turn the answers into dicts too.
    return {name: getattr(compare, name) for name in StoredCompare.__dataclass_fields__}


def aware(moment: datetime) -> datetime:
    """``moment`` in UTC, as written."""
    # SQLite hands back naive datetimes; the store writes UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
