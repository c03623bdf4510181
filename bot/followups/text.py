"""The follow-up written from a lead's fields alone, for when no model answers."""

from __future__ import annotations

from datetime import date

from memory.leads import LeadRecord


def template(business: str, lead: LeadRecord | None) -> str:
    """A follow-up written from the lead's fields alone, for when no model answers."""
    fields = lead.fields if lead else {}
    name = fields.get("name") or (lead.display_name if lead else None)
    parts = [f"Hi {name}," if name else "Hi,", f"it's {business} following up on your event"]
    if when := _day(fields.get("event_date")):
        parts.append(f"on {when}")
    if fields.get("guests"):
        parts.append(f"for {fields['guests']} guests")
    text = " ".join(parts) + "."
    asks = {"event_date": "the date", "guests": "the guest count", "location": "the city"}
    missing = [asks[name] for name in (lead.missing if lead else list(asks)) if name in asks]
    if missing:
        text += " Could you tell us " + " and ".join(missing) + "? We'd be glad to hold it for you."
    else:
        text += " Shall we hold the date for you?"
    return text


def _day(value: object) -> str | None:
    """``Monday, June 14`` for ``2027-06-14``: how a text message names a day."""
    try:
        day = date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return f"{day:%A, %B} {day.day}" if day else None
