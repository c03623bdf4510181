"""The records of bookings: a booking as read, a change asked for, a booking imported.

Also what a booking may be: its statuses, how customers quote its reference,
the values a change may set, and the errors `memory.bookings.BookingStore`
raises. Nothing here reads or writes the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from memory.errors import MemoryStoreError

CONFIRMED = "confirmed"
CANCELLED = "cancelled"
STATUSES = frozenset({CONFIRMED, CANCELLED, "completed"})
#: A booking reference as customers quote it: letters, a dash, digits (HH-1042).
REFERENCE = re.compile(r"\b([A-Za-z]{2,4})-(\d{3,6})\b")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
#: The most guests one booking may have (a typo guard, not a business rule).
MAX_GUESTS = 500


class BookingError(MemoryStoreError):
    """Root of the booking errors."""


class BookingNotFoundError(BookingError):
    """No booking with that reference (for that contact)."""


class BookingChangeRefusedError(BookingError):
    """The change cannot be made by the bot (past, cancelled, impossible values)."""


def normalise_reference(text: str) -> str:
    """``hh-1042`` → ``HH-1042``."""
    return text.strip().upper()


@dataclass(frozen=True, slots=True)
class BookingView:
    """One booking, detached from the database."""

    reference: str
    contact_id: int
    event_date: date
    guests: int
    status: str = CONFIRMED
    start_time: str | None = None
    package: str | None = None
    location: str | None = None
    notes: str | None = None
    contact_name: str | None = None

    def describe(self) -> str:
        """One line a customer or a team member can read."""
        when = f"{self.event_date:%a %d %b %Y}"
        if self.start_time:
            when += f" at {self.start_time}"
        parts = [f"{self.reference}: {when}", f"{self.guests} guests"]
        if self.package:
            parts.append(f"{self.package} package")
        if self.location:
            parts.append(self.location)
        text = ", ".join(parts)
        return text if self.status == CONFIRMED else f"{text} ({self.status})"


@dataclass(frozen=True, slots=True)
class BookingChange:
    """What a customer asked to change; None leaves a field as it is."""

    event_date: date | None = None
    start_time: str | None = None
    guests: int | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing would change."""
        return self.event_date is None and self.start_time is None and self.guests is None


@dataclass(frozen=True, slots=True)
class BookingRecord:
    """A booking to import: its fields and the contact's name and addresses."""

    reference: str
    event_date: date
    guests: int
    addresses: tuple[tuple[str, str], ...]
    name: str | None = None
    start_time: str | None = None
    package: str | None = None
    location: str | None = None
    status: str = CONFIRMED
    notes: str | None = None


@dataclass
class ImportResult:
    """What an import did: references created and updated."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def check_change(change: BookingChange, today: date) -> None:
    """Refuse (`BookingChangeRefusedError`) a change to the past or to impossible values."""
    if change.event_date is not None and change.event_date < today:
        raise BookingChangeRefusedError(f"{change.event_date} is in the past")
    if change.start_time is not None and not _TIME.match(change.start_time):
        raise BookingChangeRefusedError(f"{change.start_time!r} is not a time (HH:MM)")
    if change.guests is not None and not 1 <= change.guests <= MAX_GUESTS:
        raise BookingChangeRefusedError(f"{change.guests} guests is not possible")


def business_today(now: datetime, time_zone: str) -> date:
    """The business's date at ``now`` (an aware datetime) in ``time_zone``."""
    return now.astimezone(ZoneInfo(time_zone)).date()
