"""Replanning a lead's follow-up when the lead writes: the pending one is cancelled and
the next planned, unless the lead was sent as many as allowed already.

Runs in the caller's transaction (`memory.leads.LeadBook.capture`, every message a
lead sends), so its statements are built once and run with parameters.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, bindparam, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from memory.followup_records import as_utc
from memory.models import FollowUp, utcnow

PENDING, SENT, CANCELLED = "pending", "sent", "cancelled"

_F = FollowUp.__table__.c
_CANCEL_PENDING = (
    update(FollowUp.__table__)
    .where(_F.contact_id == bindparam("lead_contact"), _F.status == PENDING)
    .values(status=CANCELLED, reason="the lead wrote again", done_at=bindparam("now"))
)
_SENT_ALREADY = (
    select(func.count())
    .where(_F.contact_id == bindparam("lead_contact"), _F.status == SENT)
    .scalar_subquery()
)
# Plans the next one unless the lead was sent ``max_sent`` already: the count and the
# insert in one statement.
_PLAN_UNLESS_CAPPED = (
    insert(FollowUp.__table__)
    .from_select(
        ["contact_id", "conversation_id", "due_at", "status", "reason", "created_at"],
        select(
            bindparam("lead_contact", type_=_F.contact_id.type),
            bindparam("lead_conversation", type_=_F.conversation_id.type),
            bindparam("due", type_=_F.due_at.type),
            literal(PENDING, type_=_F.status.type),
            bindparam("why", type_=_F.reason.type),
            bindparam("now", type_=_F.created_at.type),
        ).where(bindparam("max_sent", type_=Integer) > _SENT_ALREADY),
    )
    .returning(_F.id)
)


async def replan_in(
    session: AsyncSession,
    *,
    contact_id: int,
    conversation_id: int,
    due_at: datetime,
    reason: str,
    max_sent: int,
) -> int | None:
    """`FollowUpStore.replan` in the caller's transaction (the lead capture's own)."""
    now = utcnow()
    await session.execute(_CANCEL_PENDING, {"lead_contact": contact_id, "now": now})
    planned = await session.execute(
        _PLAN_UNLESS_CAPPED,
        {
            "lead_contact": contact_id,
            "lead_conversation": conversation_id,
            "due": as_utc(due_at),
            "why": reason,
            "now": now,
            "max_sent": max_sent,
        },
    )
    return planned.scalar()
