"""`FeedbackStore`: ratings of the bot's replies (thumbs, booking outcomes).

One rating per rater and kind per reply; rating again replaces it. Well rated
conversations are read back for ``bot export finetune`` (`rated_conversations`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from memory.db import Database
from memory.errors import MemoryStoreError
from memory.models import Contact, Message, ReplyFeedback, utcnow

#: What a rating is about: a person's thumbs, or whether the reply led to a booking.
KINDS = ("thumb", "booking_outcome")

#: Words accepted for a rating, and the number stored.
RATINGS = {"up": 1, "+1": 1, "1": 1, "good": 1, "down": -1, "-1": -1, "bad": -1}


class FeedbackError(MemoryStoreError, ValueError):
    """A rating that cannot be stored: an unknown message, not a reply, a bad value."""


class ReplyNotFoundError(FeedbackError, LookupError):
    """No message has this id."""


def parse_rating(value: str | int) -> int:
    """``up``/``+1``/``1`` → 1, ``down``/``-1`` → -1; `FeedbackError` otherwise."""
    rating = RATINGS.get(str(value).strip().lower())
    if rating is None:
        raise FeedbackError(f"rating must be up, down, +1 or -1, not {value!r}")
    return rating


@dataclass(frozen=True, slots=True)
class Rating:
    """One stored rating."""

    id: int
    message_id: int
    rater: str
    kind: str
    rating: int
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RatedConversation:
    """A conversation's messages in order, with each reply's summed rating (None: unrated)."""

    conversation_id: int
    contact_name: str | None
    #: (direction, text, summed rating of a reply or None)
    turns: list[tuple[str, str, int | None]]


class FeedbackStore:
    """Stores ratings of replies and reads the well rated conversations back."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def rate(
        self,
        message_id: int,
        *,
        rater: str,
        rating: str | int,
        kind: str = "thumb",
        note: str | None = None,
    ) -> Rating:
        """Rate the bot's reply ``message_id`` (replacing ``rater``'s earlier rating of it)."""
        value = parse_rating(rating)
        if kind not in KINDS:
            raise FeedbackError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        async with self.db.transaction() as session:
            direction = await session.scalar(
                select(Message.direction).where(Message.id == message_id)
            )
            if direction is None:
                raise ReplyNotFoundError(f"no message has the id {message_id}")
            if direction != "out":
                raise FeedbackError(f"message {message_id} is not a reply of the bot")
            statement = (
                self.db.upsert(
                    ReplyFeedback,
                    index_elements=["message_id", "rater", "kind"],
                    set_={"rating": value, "note": note, "created_at": utcnow()},
                )
                .values(
                    message_id=message_id,
                    rater=rater,
                    kind=kind,
                    rating=value,
                    note=note,
                    created_at=utcnow(),
                )
                .returning(ReplyFeedback.__table__)
            )
            row = (await session.execute(statement)).one()
        return Rating(
            id=row.id,
            message_id=row.message_id,
            rater=row.rater,
            kind=row.kind,
            rating=row.rating,
            note=row.note,
            created_at=row.created_at,
        )

    async def ratings(self, message_id: int) -> list[Rating]:
        """Every rating of one reply, oldest first."""
        async with self.db.sessions() as session:
            rows = await session.scalars(
                select(ReplyFeedback)
                .where(ReplyFeedback.message_id == message_id)
                .order_by(ReplyFeedback.id)
            )
            return [
                Rating(r.id, r.message_id, r.rater, r.kind, r.rating, r.note, r.created_at)
                for r in rows
            ]

    async def rated_conversations(self, *, min_rating: int = 1) -> AsyncIterator[RatedConversation]:
        """Conversations holding a reply whose ratings add up to ``min_rating`` or more."""
        scores = (
            select(ReplyFeedback.message_id, func.sum(ReplyFeedback.rating).label("score"))
            .group_by(ReplyFeedback.message_id)
            .subquery()
        )
        async with self.db.sessions() as session:
            conversation_ids = list(
                await session.scalars(
                    select(Message.conversation_id)
                    .join(scores, scores.c.message_id == Message.id)
                    .where(scores.c.score >= min_rating)
                    .distinct()
                    .order_by(Message.conversation_id)
                )
            )
            for conversation_id in conversation_ids:
                rows = (
                    await session.execute(
                        select(
                            Message.direction, Message.text, scores.c.score, Contact.display_name
                        )
                        .outerjoin(scores, scores.c.message_id == Message.id)
                        .join(Contact, Contact.id == Message.contact_id)
                        .where(Message.conversation_id == conversation_id)
                        .order_by(Message.id)
                    )
                ).all()
                yield RatedConversation(
                    conversation_id=conversation_id,
                    contact_name=next((r.display_name for r in rows if r.display_name), None),
                    turns=[(r.direction, r.text, _score(r.score)) for r in rows],
                )


def _score(value: Any) -> int | None:
    return None if value is None else int(value)
