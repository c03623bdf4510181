"""`FeedbackStore`: ratings of the bot's replies (thumbs, booking outcomes).

One rating per rater and kind per reply; rating again replaces it. Well rated
conversations are read back for ``bot export finetune`` (`rated_conversations`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select

from memory.db import Database, rows_changed
from memory.errors import MemoryStoreError
from memory.models import Contact, Conversation, Message, ReplyFeedback, utcnow
from memory.outgoing import sent_external_id

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
                # No reply has this id (a customer's message has it): as missing as none.
                raise ReplyNotFoundError(f"message {message_id} is not a reply of the bot")
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

    async def remove(
        self, message_id: int, *, rater: str, kind: str = "thumb", rating: int | None = None
    ) -> bool:
        """Delete ``rater``'s rating of ``kind`` on reply ``message_id``; False if there was none.

        With ``rating``, only a stored rating of that value goes: a person who
        took back a thumbs-up they had since turned into a thumbs-down keeps the
        thumbs-down.
        """
        conditions = [
            ReplyFeedback.message_id == message_id,
            ReplyFeedback.rater == rater,
            ReplyFeedback.kind == kind,
        ]
        if rating is not None:
            conditions.append(ReplyFeedback.rating == rating)
        async with self.db.transaction() as session:
            removed = await session.execute(delete(ReplyFeedback).where(*conditions))
        return bool(rows_changed(removed))

    async def reply_for_sent(
        self, channel: str, sent_id: str, *, container: str | None = None
    ) -> int | None:
        """The id of the bot's reply that ``channel`` sent as ``sent_id``, or None.

        ``sent_id`` is what the channel's ``send`` returned (a Slack ``ts``).
        ``container`` (a Slack channel id) must then be where the reply's
        conversation lives: a ``ts`` is unique only within one Slack channel.
        A reply sent in parts is found by any part's id.
        """
        async with self.db.sessions() as session:
            query = (
                select(Message.id, Conversation.key)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.direction == "out", Message.channel == channel)
            )
            # The first part's id is the indexed external id (see ConversationStore.mark_sent).
            found = (
                await session.execute(query.where(Message.external_id == sent_external_id(sent_id)))
            ).first()
            if found is None and _is_plain(sent_id):
                # A later part is listed only in meta["sent_ids"]: look in the
                # container's conversations, newest first.
                if container is not None:
                    query = query.where(
                        or_(
                            Conversation.key == container,
                            Conversation.key.startswith(f"{container}:", autoescape=True),
                        )
                    )
                found = (
                    await session.execute(
                        query.where(cast(Message.meta, Text).like(f'%"{sent_id}"%'))
                        .order_by(Message.id.desc())
                        .limit(1)
                    )
                ).first()
        if found is None:
            return None
        message_id, key = found
        if container is not None and key.partition(":")[0] != container:
            return None
        return int(message_id)

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


def _is_plain(sent_id: str) -> bool:
    # Only ids that cannot act as LIKE wildcards or break out of the JSON string.
    return bool(sent_id) and all(c.isalnum() or c in ".-:" for c in sent_id)


def _score(value: Any) -> int | None:
    return None if value is None else int(value)
