"""Booking outcomes: a new booking rates the lead nurturing replies that led to it.

When a booking is created for a contact, the lead nurturing agent's replies to
that contact in the `WINDOW` before get a ``booking_outcome`` rating of +1 by
``booking:<reference>``, so ``bot export finetune`` picks up the conversations
that ended in a booking. It runs inside the import's transaction
(`BookingStore.import_records`), so a booking and its ratings are stored
together or not at all. Rating again is an upsert on the rating's unique key:
nothing doubles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from memory.db import Database
from memory.models import Message, ReplyFeedback, utcnow

#: How far back from the booking a lead nurturing reply counts towards it.
WINDOW = timedelta(days=30)
#: The rating kind stored (see `memory.feedback.KINDS`).
KIND = "booking_outcome"
#: The agent whose replies a booking rates (agents.lead_nurturing's name; memory
#: sits below agents and does not import them).
LEAD_AGENT = "lead_nurturing"


def booking_rater(reference: str) -> str:
    """Who a booking's ratings are by: ``booking:HH-1042``."""
    return f"booking:{reference}"


async def rate_replies_before_booking(
    db: Database,
    session: AsyncSession,
    *,
    contact_ids: Sequence[int],
    reference: str,
    booked_at: datetime | None = None,
) -> int:
    """Rate +1 the lead nurturing replies to ``contact_ids`` in the `WINDOW` before ``booked_at``.

    ``contact_ids`` is the booking's contact and the contacts merged into it.
    Returns how many replies were rated. Runs in the caller's ``session``.
    """
    booked_at = booked_at or utcnow()
    replies = list(
        await session.scalars(
            select(Message.id)
            .where(
                Message.contact_id.in_(list(contact_ids)),
                Message.direction == "out",
                Message.agent == LEAD_AGENT,
                Message.created_at >= booked_at - WINDOW,
                Message.created_at <= booked_at,
            )
            .order_by(Message.id)
        )
    )
    if not replies:
        return 0
    now = utcnow()
    rater = booking_rater(reference)
    statement = db.upsert(
        ReplyFeedback,
        index_elements=["message_id", "rater", "kind"],
        set_={"rating": 1, "created_at": now},
    ).values(
        [
            {"message_id": m, "rater": rater, "kind": KIND, "rating": 1, "created_at": now}
            for m in replies
        ]
    )
    await session.execute(statement)
    return len(replies)
