"""`TutorPairStore`: the tutor-pair log in the ``tutor_pairs`` table.

The hybrid provider records every decision here (it is the `PairLog` the
runtime hands it); ``bot export pairs`` reads the pairs back as training data.
``memory`` does not import ``agents``: `record` takes any object with the
attributes of a tutor pair, and a prompt of message objects or plain dicts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from memory.db import Database
from memory.models import TutorPair, utcnow

PAIRS = TutorPair.__table__

#: Decisions the hybrid records.
DECISIONS = ("student", "teacher", "handoff")


@dataclass(frozen=True, slots=True)
class StoredPair:
    """One row of the tutor-pair log."""

    id: int
    created_at: datetime
    decision: str
    prompt: list[dict[str, str]]
    student_model: str
    student_text: str
    confidence: float
    method: str
    teacher_model: str | None
    teacher_text: str | None


class TutorPairStore:
    """Writes tutor pairs as the hybrid decides, and reads them back for export."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, pair: Any) -> int:
        """Store one pair; return its id.

        ``pair`` has ``prompt`` (messages with ``role`` and ``content``),
        ``student_model``, ``student_text``, ``confidence``, ``method``,
        ``decision``, ``teacher_model`` and ``teacher_text`` (None when the
        teacher was not asked), like `agents.providers.tutor_pairs.TutorPair`.
        """
        async with self.db.transaction() as session:
            pair_id = await session.scalar(
                insert(PAIRS)
                .values(
                    created_at=utcnow(),
                    decision=pair.decision,
                    prompt=[_message(m) for m in pair.prompt],
                    student_model=pair.student_model,
                    student_text=pair.student_text,
                    confidence=float(pair.confidence),
                    confidence_method=pair.method,
                    teacher_model=pair.teacher_model,
                    teacher_text=pair.teacher_text,
                )
                .returning(PAIRS.c.id)
            )
        assert pair_id is not None
        return pair_id

    async def iter_pairs(
        self,
        *,
        decisions: Sequence[str] | None = None,
        with_teacher: bool = True,
        batch_size: int = 500,
    ) -> AsyncIterator[StoredPair]:
        """Pairs oldest first, read in batches (a long export holds no connection open).

        ``with_teacher`` (the default) keeps only pairs with a teacher answer,
        the ones worth training on; ``decisions`` keeps only those decisions.
        """
        c = PAIRS.c
        query = select(
            c.id,
            c.created_at,
            c.decision,
            c.prompt,
            c.student_model,
            c.student_text,
            c.confidence,
            c.confidence_method.label("method"),
            c.teacher_model,
            c.teacher_text,
        ).order_by(c.id)
        if with_teacher:
            query = query.where(c.teacher_text.is_not(None))
        if decisions:
            query = query.where(c.decision.in_(list(decisions)))
        last_id = 0
        while True:
            async with self.db.sessions() as session:
                rows = (await session.execute(query.where(c.id > last_id).limit(batch_size))).all()
            for row in rows:
                yield StoredPair(**row._mapping)
            if len(rows) < batch_size:
                return
            last_id = rows[-1].id

    async def pairs(
        self, *, decisions: Sequence[str] | None = None, with_teacher: bool = True
    ) -> list[StoredPair]:
        """`iter_pairs` as a list."""
        return [p async for p in self.iter_pairs(decisions=decisions, with_teacher=with_teacher)]


def _message(message: Any) -> dict[str, str]:
    """A prompt message as JSON: from a ``ChatMessage``-like object or a dict."""
    if isinstance(message, dict):
        return {"role": str(message["role"]), "content": str(message["content"])}
    return {"role": str(message.role), "content": str(message.content)}
