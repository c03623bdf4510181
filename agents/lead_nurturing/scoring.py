"""The lead score: 0-100 from the lead's fields, with the reasons behind it.

Points, 100 in all:

- event date: 20 when known, 10 more when it is 5 to 90 days away (soon
  enough to book, far enough for the business's lead time);
- guests: 15 when known, 5 more when they reach the minimum spend;
- budget: 10 when known, 10 more when it covers the estimate (5 when it
  covers only the minimum spend);
- location: 10 when known, 10 more when it is in the service area;
- engagement: 5 for a name, 5 for three messages or more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from agents.lead_nurturing.business_terms import BusinessTerms

#: Days from today an event counts as soon (the business books 5 days ahead at least).
SOON_DAYS = (5, 90)


@dataclass(frozen=True, slots=True)
class LeadScore:
    """A score and why."""

    score: int
    reasons: tuple[str, ...]


def score_lead(
    fields: Mapping[str, Any],
    *,
    terms: BusinessTerms,
    today: date,
    messages: int = 1,
) -> LeadScore:
    """Score ``fields`` (the merged lead) against the business's ``terms``."""
    points = 0
    reasons: list[str] = []

    event_date = _date(fields.get("event_date"))
    if event_date is not None:
        days = (event_date - today).days
        if days < 0:
            reasons.append("event date has passed")
        else:
            points += 20
            when = "today" if days == 0 else f"in {days} day" + ("s" if days > 1 else "")
            if SOON_DAYS[0] <= days <= SOON_DAYS[1]:
                points += 10
                reasons.append(f"event {when} (+30)")
            elif days < SOON_DAYS[0]:
                reasons.append(f"event {when}, under the booking lead time (+20)")
            else:
                reasons.append(f"event date set, {days} days away (+20)")
    else:
        reasons.append("no event date yet")

    guests = _int(fields.get("guests"))
    estimate = terms.estimate(guests) if guests else None
    if guests:
        points += 15
        meets = terms.price_per_guest is None or terms.minimum_spend is None
        if not meets:
            meets = guests * (terms.price_per_guest or 0) >= (terms.minimum_spend or 0)
        if meets:
            points += 5
            reasons.append(f"{guests} guests (+20)")
        else:
            reasons.append(f"{guests} guests, under the minimum spend (+15)")
    else:
        reasons.append("no guest count yet")

    budget = _int(fields.get("budget"))
    if budget:
        points += 10
        if estimate is not None and budget >= estimate:
            points += 10
            reasons.append(f"budget ${budget} covers the ${estimate:.0f} estimate (+20)")
        elif terms.minimum_spend is not None and budget >= terms.minimum_spend:
            points += 5
            reasons.append(f"budget ${budget} covers the minimum spend (+15)")
        else:
            reasons.append(f"budget ${budget} (+10)")
    else:
        reasons.append("no budget yet")

    location = fields.get("location")
    if location:
        points += 10
        if terms.in_area(str(location)):
            points += 10
            reasons.append(f"{location} is in the service area (+20)")
        else:
            reasons.append(f"{location} is not a listed service-area place (+10)")
    else:
        reasons.append("no location yet")

    if fields.get("name"):
        points += 5
        reasons.append("gave a name (+5)")
    if messages >= 3:
        points += 5
        reasons.append(f"{messages} messages (+5)")
    return LeadScore(score=max(0, min(100, points)), reasons=tuple(reasons))


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
