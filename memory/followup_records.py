"""The records of follow-ups as the store hands them out: one planned, and a lead's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class PlannedFollowUp:
    """One follow-up with the conversation it goes to."""

    id: int
    contact_id: int
    conversation_id: int
    channel: str
    conversation_key: str
    due_at: datetime
    status: str
    reason: str | None
    created_at: datetime
    done_at: datetime | None = None
    message_id: int | None = None


def planned_from_row(row: Any) -> PlannedFollowUp:
    """A (follow-up, channel, key, owner id) row as a `PlannedFollowUp`."""
    followup, channel, key, owner_id = row
    return PlannedFollowUp(
        id=followup.id,
        # The conversation's contact: when two contacts merge, conversations move to
        # the one kept, and its identities (STOP included) are the ones to check.
        contact_id=owner_id,
        conversation_id=followup.conversation_id,
        channel=channel,
        conversation_key=key,
        due_at=followup.due_at,
        status=followup.status,
        reason=followup.reason,
        created_at=followup.created_at,
        done_at=followup.done_at,
        message_id=followup.message_id,
    )


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive one is taken as UTC): SQLite stores no offset."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class LeadState:
    """What decides whether a follow-up may go: read in one session."""

    opted_out: bool
    booked_since: bool
    wrote_since: bool
    sent: int
