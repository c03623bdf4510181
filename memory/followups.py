"""`FollowUpStore`: follow-ups planned for leads, and what became of each.

A follow-up is ``pending`` until its time comes; a round then claims it
(``writing``, then ``sending``: see `memory.followup_claims`, which also says
what becomes of the claim of a round that died), and it ends ``sent``,
``unknown`` (its round died mid-send), ``skipped`` (opted out, capped, the lead wrote or booked) or
``cancelled`` (the lead wrote back before it was due). Quiet hours put it back
to ``pending`` at a later time instead of dropping it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from memory.db import Database
from memory.followup_records import LeadState, PlannedFollowUp, as_utc, planned_from_row
from memory.followup_replan import CANCELLED, PENDING, SENT, replan_in
from memory.model_calls import CallUsage, insert_model_calls
from memory.models import Booking, Conversation, FollowUp, Identity, Message, utcnow
from memory.outgoing import insert_outgoing

SKIPPED = "skipped"


def _with_conversation() -> Any:
    return select(FollowUp, Conversation.channel, Conversation.key, Conversation.contact_id).join(
        Conversation, Conversation.id == FollowUp.conversation_id
    )


class FollowUpStore:
    """Plans, lists, claims and closes follow-ups."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def plan(
        self,
        *,
        contact_id: int,
        conversation_id: int,
        due_at: datetime,
        reason: str,
        replace_pending: bool = True,
    ) -> int:
        """Plan a follow-up; with ``replace_pending`` the contact's pending ones are cancelled.

        The lead wrote again: the clock starts over, and one follow-up waits at a time.
        """
        async with self.db.transaction() as session:
            if replace_pending:
                await session.execute(
                    update(FollowUp)
                    .where(FollowUp.contact_id == contact_id, FollowUp.status == PENDING)
                    .values(status=CANCELLED, reason="the lead wrote again", done_at=utcnow())
                )
            followup = FollowUp(
                contact_id=contact_id,
                conversation_id=conversation_id,
                due_at=as_utc(due_at),
                status=PENDING,
                reason=reason,
            )
            session.add(followup)
            await session.flush()
            return followup.id

    async def replan(
        self,
        *,
        contact_id: int,
        conversation_id: int,
        due_at: datetime,
        reason: str,
        max_sent: int,
    ) -> int | None:
        """The lead wrote: cancel the pending follow-up and plan the next, in one transaction.

        None (and nothing planned) once the contact was sent ``max_sent`` already.
        """
        async with self.db.transaction() as session:
            return await replan_in(
                session,
                contact_id=contact_id,
                conversation_id=conversation_id,
                due_at=due_at,
                reason=reason,
                max_sent=max_sent,
            )

    async def cancel_pending(self, contact_id: int, *, reason: str) -> int:
        """Cancel the contact's pending follow-ups; return how many."""
        async with self.db.transaction() as session:
            result = await session.execute(
                update(FollowUp)
                .where(FollowUp.contact_id == contact_id, FollowUp.status == PENDING)
                .values(status=CANCELLED, reason=reason, done_at=utcnow())
            )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def due(self, now: datetime, *, limit: int = 100) -> list[PlannedFollowUp]:
        """Pending follow-ups due at ``now`` or before, oldest first."""
        async with self.db.sessions() as session:
            rows = await session.execute(
                _with_conversation()
                .where(FollowUp.status == PENDING, FollowUp.due_at <= as_utc(now))
                .order_by(FollowUp.due_at, FollowUp.id)
                .limit(limit)
            )
            return [planned_from_row(row) for row in rows]

    async def list(
        self, *, status: str | None = None, contact_id: int | None = None, limit: int = 100
    ) -> list[PlannedFollowUp]:
        """Follow-ups, newest due first, filtered by status and contact."""
        query = _with_conversation()
        if status is not None:
            query = query.where(FollowUp.status == status)
        if contact_id is not None:
            query = query.where(FollowUp.contact_id == contact_id)
        async with self.db.sessions() as session:
            rows = await session.execute(
                query.order_by(FollowUp.due_at.desc(), FollowUp.id.desc()).limit(limit)
            )
            return [planned_from_row(row) for row in rows]

    async def skip(self, followup_id: int, reason: str, *, now: datetime | None = None) -> None:
        """Close a follow-up unsent, saying why."""
        await self._close(followup_id, SKIPPED, reason, now)

    async def cancel(self, followup_id: int, reason: str, *, now: datetime | None = None) -> None:
        """Close a follow-up that is no longer wanted."""
        await self._close(followup_id, CANCELLED, reason, now)

    async def reschedule(self, followup_id: int, due_at: datetime, reason: str) -> None:
        """Put a follow-up back to pending at ``due_at`` (after quiet hours)."""
        async with self.db.transaction() as session:
            await session.execute(
                update(FollowUp)
                .where(FollowUp.id == followup_id)
                .values(status=PENDING, due_at=as_utc(due_at), reason=reason)
            )

    async def record_sent(
        self,
        planned: PlannedFollowUp,
        *,
        text: str,
        agent: str,
        sent_ids: Sequence[str],
        calls: Sequence[CallUsage] = (),
        model_id: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Store the sent follow-up as an outgoing message, its model calls, and close it sent.

        One transaction: the message, the calls behind it and the follow-up's
        new state are stored together. Returns the message's id.
        """
        now = as_utc(now or utcnow())
        meta: dict[str, Any] = {"model": model_id, "followup_id": planned.id}
        if len(sent_ids) > 1:
            meta["sent_ids"] = list(sent_ids)
        async with self.db.transaction() as session:
            message_id = await insert_outgoing(
                session,
                conversation_id=planned.conversation_id,
                contact_id=planned.contact_id,
                channel=planned.channel,
                text=text,
                agent=agent,
                meta=meta,
                sent_id=sent_ids[0] if sent_ids else None,
                created_at=now,
            )
            await insert_model_calls(
                session,
                calls,
                agent=agent,
                contact_id=planned.contact_id,
                message_id=message_id,
                routing_reason="followup",
            )
            await session.execute(
                update(FollowUp)
                .where(FollowUp.id == planned.id)
                .values(status=SENT, message_id=message_id, done_at=now)
            )
            return message_id

    async def state(self, contact_id: int, since: datetime) -> LeadState:
        """STOP, a booking or a message since ``since``, and follow-ups sent: one session."""
        since = as_utc(since)
        async with self.db.sessions() as session:
            opted_out = await session.scalar(
                select(Identity.id)
                .where(Identity.contact_id == contact_id, Identity.opted_out_at.is_not(None))
                .limit(1)
            )
            booked = await session.scalar(
                select(Booking.id)
                .where(
                    Booking.contact_id == contact_id,
                    Booking.status == "confirmed",
                    Booking.created_at > since,
                )
                .limit(1)
            )
            wrote = await session.scalar(
                select(Message.id)
                .where(
                    Message.contact_id == contact_id,
                    Message.direction == "in",
                    Message.created_at > since,
                )
                .limit(1)
            )
            sent = await session.scalar(
                select(func.count())
                .select_from(FollowUp)
                .where(FollowUp.contact_id == contact_id, FollowUp.status == SENT)
            )
        return LeadState(
            opted_out=opted_out is not None,
            booked_since=booked is not None,
            wrote_since=wrote is not None,
            sent=int(sent or 0),
        )

    async def sent_count(self, contact_id: int) -> int:
        """How many follow-ups the contact has been sent, ever."""
        async with self.db.sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(FollowUp)
                .where(FollowUp.contact_id == contact_id, FollowUp.status == SENT)
            )
        return int(count or 0)

    async def _close(
        self, followup_id: int, status: str, reason: str, now: datetime | None
    ) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(FollowUp)
                .where(FollowUp.id == followup_id)
                .values(status=status, reason=reason, done_at=as_utc(now or utcnow()))
            )
