"""`OpsReports`: the team's numbers as text an operations answer can carry.

Today's and tomorrow's bookings (days of the business's time zone,
BUSINESS_TIME_ZONE), the open lead pipeline, and this month's model spend
against the budget (UTC months, as `bot costs` counts them). Internal data:
only the operations agent reads these, and only for team members.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from memory.booking_records import BookingView
from memory.bookings import BookingStore
from memory.leads import STAGES, LeadBook, LeadSummary
from memory.models import utcnow
from memory.spend import Spend, SpendLedger, month_bounds, month_key

#: Leads listed one per line in the pipeline; the rest are only counted.
PIPELINE_LINES = 8


def money(amount: float) -> str:
    """Dollars to the cent from $1 up; to the millionth below, where model calls live."""
    if amount == 0:
        return "$0"
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.6f}"


class OpsReports:
    """Reads bookings, leads and spend; renders each as a few plain lines."""

    def __init__(
        self,
        *,
        bookings: BookingStore,
        spend: SpendLedger,
        leads: LeadBook | None = None,
        monthly_budget_usd: float = 0.0,
    ) -> None:
        self.bookings = bookings
        self.spend = spend
        self.leads = leads
        self.monthly_budget_usd = monthly_budget_usd

    async def schedule(self, now: datetime | None = None) -> str:
        """Today's and tomorrow's confirmed bookings, by start time."""
        today = self.bookings.today(now)
        tomorrow = today + timedelta(days=1)
        found = await self.bookings.between(today, tomorrow)
        zone = self.bookings.time_zone
        lines = []
        for label, day in (("Today", today), ("Tomorrow", tomorrow)):
            on_day = [b for b in found if b.event_date == day]
            lines.append(f"{label}, {day:%a %d %b %Y} ({zone}): {_count(len(on_day), 'booking')}")
            lines.extend(f"- {_booking_line(b)}" for b in on_day)
        return "\n".join(lines)

    async def pipeline(self, now: datetime | None = None) -> str:
        """Open leads by stage, the best first."""
        if self.leads is None:
            return "Lead pipeline: not available (no lead book configured)."
        leads = await self.leads.pipeline(today=self.bookings.today(now))
        if not leads:
            return "Lead pipeline: no open leads."
        stages = Counter(lead.stage for lead in leads)
        by_stage = ", ".join(f"{stages[s]} {s}" for s in STAGES if stages[s])
        lines = [f"Lead pipeline: {_count(len(leads), 'open lead')} ({by_stage})"]
        lines.extend(f"- {_lead_line(lead)}" for lead in leads[:PIPELINE_LINES])
        if len(leads) > PIPELINE_LINES:
            lines.append(f"- and {len(leads) - PIPELINE_LINES} more")
        return "\n".join(lines)

    async def costs(self, now: datetime | None = None) -> str:
        """This month's model spend by provider and agent, paid sends (SMS), and the budget used."""
        moment = now or utcnow()
        report = await self.spend.report(*month_bounds(moment))
        total = report.total
        line = f"Model spend in {month_key(moment)} (UTC): {money(total.cost_usd)} over "
        line += _count(total.calls, "call")
        if total.unknown_cost_calls:
            line += f" ({total.unknown_cost_calls} of unknown cost, not included)"
        lines = [line + "."]
        for sends in report.sends:  # SMS segments cost money too, and count against the budget
            lines.append(
                f"{sends.name.upper()} sends: {money(sends.cost_usd)} for "
                f"{_count(sends.messages, 'message')} ({_count(sends.segments, 'segment')}"
                + (f", {sends.estimated_messages} estimated)" if sends.estimated_messages else ")")
            )
        budget = self.monthly_budget_usd
        spent = f"Total {money(report.cost_usd)}"
        if budget > 0:
            lines.append(
                f"{spent}: {report.cost_usd / budget * 100:.1f}% of the "
                f"{money(budget)} budget used."
            )
        else:
            lines.append(f"{spent}; no monthly budget set.")
        if report.by_provider:
            lines.append("By provider: " + _spends(report.by_provider))
        if report.by_agent:
            lines.append("By agent: " + _spends(report.by_agent))
        return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    if n == 0:
        return "none" if noun == "booking" else f"no {noun}s"
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _booking_line(booking: BookingView) -> str:
    parts = [booking.start_time or "time not set", booking.reference]
    if booking.contact_name:
        parts.append(booking.contact_name)
    text = " ".join(parts) + f", {booking.guests} guests"
    if booking.package:
        text += f", {booking.package}"
    if booking.location:
        text += f", {booking.location}"
    return text


def _lead_line(lead: LeadSummary) -> str:
    name = lead.name or f"contact {lead.contact_id}"
    score = "unscored" if lead.score is None else f"score {lead.score}"
    fields = ("event_date", "guests", "budget", "location")
    known = [f"{key} {lead.fields[key]}" for key in fields if lead.fields.get(key)]
    text = f"{name}: {lead.stage}, {score}"
    if known:
        text += ", " + ", ".join(known)
    if lead.next_followup_at is not None:
        text += f", follow-up due {lead.next_followup_at:%Y-%m-%d %H:%M} UTC"
    return text


def _spends(spends: list[Spend]) -> str:
    return "; ".join(f"{s.name} {money(s.cost_usd)} ({_count(s.calls, 'call')})" for s in spends)
