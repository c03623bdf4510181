"""`LeadBook`: what the conversation revealed about a lead, kept on the contact.

Lead fields (name, event_date, guests, budget, location) live in
``contacts.lead`` as JSON, with the lead score in ``contacts.lead_score`` and
the time of the last change in ``contacts.lead_updated_at``; the contact's
time zone (``contacts.time_zone``) decides its quiet hours. `pipeline` is the
operations view: open leads by stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update

from memory.db import Database
from memory.followups import FollowUpStore, replan_in
from memory.models import Booking, Contact, FollowUp, utcnow

#: The lead fields, in the order a pipeline shows them.
LEAD_FIELDS = ("name", "event_date", "guests", "budget", "location")
#: Where the score's reasons are kept inside ``contacts.lead`` (not a lead field).
REASONS_KEY = "score_reasons"

#: Stages of an open lead, most advanced first.
QUALIFIED = "qualified"  # date, guest count and location known: ready to quote and book
ENGAGED = "engaged"  # some fields known
NEW = "new"  # asked the sales agent, told us nothing yet
STAGES = (QUALIFIED, ENGAGED, NEW)

#: Computes a score (0-100) and its reasons from the merged lead fields.
Scorer = Callable[[Mapping[str, Any]], tuple[int, Sequence[str]]]


def lead_stage(fields: Mapping[str, Any]) -> str:
    """The stage of an open lead with these fields."""
    if all(fields.get(name) for name in ("event_date", "guests", "location")):
        return QUALIFIED
    if any(fields.get(name) for name in LEAD_FIELDS):
        return ENGAGED
    return NEW


@dataclass(frozen=True, slots=True)
class LeadRecord:
    """One contact's lead fields and score, as stored."""

    contact_id: int
    fields: dict[str, Any]
    score: int | None
    score_reasons: tuple[str, ...] = ()
    time_zone: str | None = None
    updated_at: datetime | None = None
    display_name: str | None = None

    @property
    def missing(self) -> list[str]:
        """The lead fields still unknown, in `LEAD_FIELDS` order."""
        return [name for name in LEAD_FIELDS if not self.fields.get(name)]

    @property
    def stage(self) -> str:
        """The stage the fields put this lead in (see `lead_stage`)."""
        return lead_stage(self.fields)


@dataclass(frozen=True, slots=True)
class LeadSummary:
    """One open lead as the operations pipeline lists it."""

    contact_id: int
    name: str | None
    stage: str
    score: int | None
    fields: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    #: When the next planned follow-up is due, if one is pending.
    next_followup_at: datetime | None = None


def _lead_record(
    contact_id: int,
    lead: Mapping[str, Any] | None,
    score: int | None,
    time_zone: str | None,
    updated_at: datetime | None,
    display_name: str | None,
) -> LeadRecord:
    stored = dict(lead or {})
    reasons = tuple(stored.pop(REASONS_KEY, ()) or ())
    return LeadRecord(contact_id, stored, score, reasons, time_zone, updated_at, display_name)


def _record(contact: Contact) -> LeadRecord:
    return _lead_record(
        contact.id,
        contact.lead,
        contact.lead_score,
        contact.time_zone,
        contact.lead_updated_at,
        contact.display_name,
    )


_C = Contact.__table__.c
# Built once, run with parameters: every message to the sales agent captures its lead.
# FOR UPDATE (PostgreSQL): two messages of one lead merge their fields one after the other.
_READ_LEAD = (
    select(_C.lead, _C.lead_score, _C.time_zone, _C.lead_updated_at, _C.display_name)
    .where(_C.id == bindparam("lead_contact"))
    .with_for_update()
)
_WRITE_LEAD = (
    update(Contact.__table__)
    .where(_C.id == bindparam("lead_contact"))
    .values(
        lead=bindparam("new_lead", type_=_C.lead.type),
        lead_score=bindparam("new_score", type_=_C.lead_score.type),
        time_zone=bindparam("new_time_zone", type_=_C.time_zone.type),
        lead_updated_at=bindparam("new_updated_at", type_=_C.lead_updated_at.type),
        display_name=bindparam("new_name", type_=_C.display_name.type),
    )
)


class LeadBook:
    """Reads and merges lead fields, the lead score and time zones of contacts.

    With ``followups`` it also plans the next follow-up of a lead that writes
    (``followup_delay`` later, at most ``followup_max`` ever sent).
    """

    def __init__(
        self,
        db: Database,
        *,
        followups: FollowUpStore | None = None,
        followup_delay: timedelta = timedelta(hours=24),
        followup_max: int = 2,
    ) -> None:
        self.db = db
        self.followups = followups
        self.followup_delay = followup_delay
        self.followup_max = followup_max

    async def schedule_followup(
        self, contact_id: int, conversation_id: int, *, now: datetime | None = None
    ) -> datetime | None:
        """Plan the lead's follow-up ``followup_delay`` from ``now``, replacing a pending one.

        The lead just wrote, so a pending follow-up is cancelled either way.
        Returns when the new one is due; None when none was planned (no
        follow-up store, or the contact had its ``followup_max`` already).
        """
        if self.followups is None:
            return None
        plan = self._next_followup(contact_id, conversation_id, now=now)
        planned = await self.followups.replan(**plan)
        return None if planned is None else plan["due_at"]

    def _next_followup(
        self, contact_id: int, conversation_id: int, *, now: datetime | None = None
    ) -> dict[str, Any]:
        return {
            "contact_id": contact_id,
            "conversation_id": conversation_id,
            "due_at": (now or utcnow()) + self.followup_delay,
            "reason": "the lead went quiet",
            "max_sent": self.followup_max,
        }

    async def get(self, contact_id: int) -> LeadRecord | None:
        """The contact's lead record; None for an unknown contact."""
        async with self.db.sessions() as session:
            contact = await session.get(Contact, contact_id)
            return None if contact is None else _record(contact)

    async def capture(
        self,
        contact_id: int,
        fields: Mapping[str, Any],
        *,
        scorer: Scorer | None = None,
        time_zone: str | None = None,
        followup_for: int | None = None,
    ) -> LeadRecord:
        """Merge ``fields`` onto the contact's lead, rescore it, and return the result.

        A new value replaces the old one (people change their date or guest
        count); None and unknown names are ignored. The contact becomes a lead
        even when ``fields`` is empty: they asked the sales agent. A captured
        name also becomes the contact's display name when it has none. With
        ``followup_for`` (a conversation id) the follow-up is replanned as
        `schedule_followup` does, in the same transaction.
        """
        async with self.db.transaction() as session:
            row = (await session.execute(_READ_LEAD, {"lead_contact": contact_id})).first()
            if row is None:
                raise LookupError(f"no contact {contact_id}")
            lead, score, time_zone_now, updated_at, display_name = row
            merged = {k: v for k, v in (lead or {}).items() if k != REASONS_KEY}
            changes = {k: v for k, v in fields.items() if k in LEAD_FIELDS and v not in (None, "")}
            merged.update(changes)
            stored: dict[str, Any] = dict(merged)
            if scorer is not None:
                points, reasons = scorer(merged)
                score = max(0, min(100, int(points)))
                stored[REASONS_KEY] = list(reasons)
            elif lead and REASONS_KEY in lead:
                stored[REASONS_KEY] = lead[REASONS_KEY]
            if changes or updated_at is None:
                updated_at = utcnow()
            if changes.get("name") and not display_name:
                display_name = str(changes["name"])
            time_zone = time_zone or time_zone_now
            await session.execute(
                _WRITE_LEAD,
                {
                    "lead_contact": contact_id,
                    "new_lead": stored,
                    "new_score": score,
                    "new_time_zone": time_zone,
                    "new_updated_at": updated_at,
                    "new_name": display_name,
                },
            )
            if followup_for is not None and self.followups is not None:
                await replan_in(session, **self._next_followup(contact_id, followup_for))
            return _lead_record(contact_id, stored, score, time_zone, updated_at, display_name)

    async def set_time_zone(self, contact_id: int, time_zone: str | None) -> None:
        """Record the contact's IANA time zone (None forgets it)."""
        async with self.db.transaction() as session:
            contact = await session.get(Contact, contact_id)
            if contact is None:
                raise LookupError(f"no contact {contact_id}")
            contact.time_zone = time_zone

    async def pipeline(self, *, today: date | None = None, limit: int = 100) -> list[LeadSummary]:
        """Open leads, most advanced stage first, then highest score.

        Open: the contact is a lead, has no confirmed booking from ``today``
        on, and its event date (when known) has not passed.
        """
        today = today or utcnow().date()
        booked = select(Booking.contact_id).where(
            Booking.status == "confirmed", Booking.event_date >= today
        )
        next_followup = (
            select(FollowUp.contact_id, func.min(FollowUp.due_at).label("due_at"))
            .where(FollowUp.status == "pending")
            .group_by(FollowUp.contact_id)
            .subquery()
        )
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(Contact, next_followup.c.due_at)
                .outerjoin(next_followup, next_followup.c.contact_id == Contact.id)
                .where(
                    Contact.lead.is_not(None),
                    Contact.merged_into_id.is_(None),
                    Contact.id.not_in(booked),
                )
            )
            leads = []
            for contact, due_at in rows:
                record = _record(contact)
                event_date = _as_date(record.fields.get("event_date"))
                if event_date is not None and event_date < today:
                    continue
                leads.append(
                    LeadSummary(
                        contact_id=record.contact_id,
                        name=record.fields.get("name") or record.display_name,
                        stage=record.stage,
                        score=record.score,
                        fields=record.fields,
                        updated_at=record.updated_at,
                        next_followup_at=due_at,
                    )
                )
        leads.sort(key=lambda lead: (STAGES.index(lead.stage), -(lead.score or 0), lead.contact_id))
        return leads[:limit]


def _as_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
