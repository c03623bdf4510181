"""Reading a booking change out of a customer's words, without a model.

"Can we move HH-1042 to Dec 12 at 6pm, and make it 15 guests?" gives the
reference, a new date, a new time and a new guest count. A date, time or
count alone is not a change: a change word ("move", "make it", "instead") or
a quoted reference must say the customer wants one. Dates without a year are
the next such day from ``today``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from memory.booking_records import REFERENCE, BookingChange, normalise_reference

_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = {name.lower(): n for n, name in enumerate(calendar.day_name)}
_ORDINAL = r"(?:st|nd|rd|th)?"

_ISO = re.compile(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"(?<![\d/-])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")
_MONTH_DAY = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}}){_ORDINAL}\b(?:,?\s+(20\d\d))?", re.IGNORECASE
)
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\b\.?(?:,?\s+(20\d\d))?", re.IGNORECASE
)
_WEEKDAY = re.compile(rf"\b(?:(next|this)\s+)?({'|'.join(_WEEKDAYS)})\b", re.IGNORECASE)
_TOMORROW = re.compile(r"\btomorrow\b", re.IGNORECASE)
#: "the 19th": a day of this month, or of the next once this month's is past.
_ORDINAL_DAY = re.compile(r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
#: Words just before a date that make it the new one ("move it to Friday").
_TO = re.compile(r"\b(?:to|for|till|until|onto|into)\s+(?:\w+\s+)?$", re.IGNORECASE)
_INSTEAD = re.compile(r"^\W*instead\b", re.IGNORECASE)

_CLOCK_12 = re.compile(r"\b(\d{1,2})(?::([0-5]\d))?\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)
_CLOCK_24 = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_NOON = re.compile(r"\bnoon\b", re.IGNORECASE)

_NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "a dozen": 12, "two dozen": 24})
_COUNT = rf"(\d{{1,3}}|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})"
_GUESTS = (
    re.compile(
        rf"\b{_COUNT}\s+(?:\w+\s+)?(?:guests?|people|persons|adults|pax|heads|of us|attendees)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:guest\s*count|headcount|head\s*count|party\s+size|number of guests)"
        rf"\s+(?:\w+\s+){{0,3}}?(?:to|of|is|at|=|:)?\s*{_COUNT}\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\bparty\s+of\s+{_COUNT}\b", re.IGNORECASE),
)
_PEOPLE = r"\s+(?:guests?|people|persons|adults|kids|children|of us)"
#: "add 5 more guests", "3 extra people": a count relative to the booking's.
_MORE = re.compile(
    rf"\b(?:add(?:ing)?\s+(?:another\s+)?{_COUNT}(?!\s*(?:more|extra))|"
    rf"{_COUNT}\s+(?:more|extra|additional)){_PEOPLE}\b",
    re.IGNORECASE,
)
_FEWER = re.compile(
    rf"\b(?:(?:remove|minus|take off|lose)\s+{_COUNT}|{_COUNT}\s+(?:fewer|less)){_PEOPLE}\b",
    re.IGNORECASE,
)
_CHANGE_WORDS = re.compile(
    r"\b(?:change|changing|move|moving|moved|reschedul\w*|push|bump|switch|shift|update|"
    r"adjust|make it|make that|increase|decrease|reduce|lower|raise|add|drop|instead|"
    r"postpone|bring (?:it|that) forward|now be|now have|more|extra|fewer|less)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """What a message asks: the booking it names, if any, and the change, if any."""

    reference: str | None = None
    change: BookingChange = field(default_factory=BookingChange)
    #: A date the message names besides the new one ("from Dec 5 to Dec 12"): the
    #: booking's current date, which picks it among several.
    current_date: date | None = None
    #: Whether the message asks for a change (a change word or a quoted reference).
    wants_change: bool = False
    #: Guests to add (or, negative, remove): "5 more guests" is relative to the booking.
    guests_delta: int | None = None

    @property
    def is_change(self) -> bool:
        """A change the bot can apply: asked for, with something to change."""
        return self.wants_change and (not self.change.empty or bool(self.guests_delta))

    def applied_to(self, guests: int) -> BookingChange:
        """The change in absolute terms, for a booking of ``guests`` guests."""
        if not self.guests_delta:
            return self.change
        return replace(self.change, guests=guests + self.guests_delta)


def find_reference(text: str) -> str | None:
    """The first booking reference in ``text`` (``HH-1042``), normalised."""
    found = REFERENCE.search(text)
    return normalise_reference(found.group(0)) if found else None


def parse_change(text: str, *, today: date) -> ChangeRequest:
    """The booking change ``text`` asks for, relative to the business's ``today``."""
    reference = find_reference(text)
    # A reference's digits are not a date, a time or a guest count.
    rest = REFERENCE.sub(" ", text)
    dates = _dates(rest, today)
    delta = _delta(rest)
    guests = None if delta else _guests(rest)
    start_time = _time(rest)
    new_date = dates[-1][1] if dates else None
    current = dates[0][1] if len(dates) > 1 else None
    if len(dates) == 1 and (delta or guests or start_time):
        # "add 6 guests to our party this Saturday": with another change, a lone
        # date is the booking's own unless words make it the new one ("to Friday").
        start, end = dates[0][0], dates[0][2]
        if not (_TO.search(rest[max(0, start - 20) : start]) or _INSTEAD.match(rest[end:])):
            new_date, current = None, dates[0][1]
    change = BookingChange(event_date=new_date, start_time=start_time, guests=guests)
    wants = bool(_CHANGE_WORDS.search(rest)) or reference is not None
    return ChangeRequest(
        reference, change, current_date=current, wants_change=wants, guests_delta=delta
    )


def _delta(text: str) -> int | None:
    """Guests added (positive) or removed (negative), when the count is relative."""
    for pattern, sign in ((_MORE, 1), (_FEWER, -1)):
        found = pattern.search(text)
        if found:
            word = (found[1] or found[2]).lower()
            return sign * (int(word) if word.isdigit() else _NUMBER_WORDS[word])
    return None


def _dates(text: str, today: date) -> list[tuple[int, date, int]]:
    """Every date ``text`` names, with where it starts and ends, in order of appearance."""
    found: list[tuple[int, date, int]] = []
    taken: list[range] = []

    def add(start: int, end: int, value: date | None) -> None:
        if value is None or any(start in span or end - 1 in span for span in taken):
            return
        taken.append(range(start, end))
        found.append((start, value, end))

    for m in _ISO.finditer(text):
        add(m.start(), m.end(), _safe_date(int(m[1]), int(m[2]), int(m[3])))
    for m in _MONTH_DAY.finditer(text):
        add(m.start(), m.end(), _day(today, _MONTHS[m[1].lower()], int(m[2]), m[3]))
    for m in _DAY_MONTH.finditer(text):
        add(m.start(), m.end(), _day(today, _MONTHS[m[2].lower()], int(m[1]), m[3]))
    for m in _NUMERIC.finditer(text):  # US order: month/day
        add(m.start(), m.end(), _day(today, int(m[1]), int(m[2]), m[3]))
    for m in _WEEKDAY.finditer(text):
        # "Saturday", "this Saturday" and "next Saturday" all read as the coming one:
        # what customers mean most often; the confirmation shows the date to check.
        ahead = (_WEEKDAYS[m[2].lower()] - today.weekday()) % 7 or 7
        add(m.start(), m.end(), today + timedelta(days=ahead))
    for m in _TOMORROW.finditer(text):
        add(m.start(), m.end(), today + timedelta(days=1))
    for m in _ORDINAL_DAY.finditer(text):
        value = _safe_date(today.year, today.month, int(m[1]))
        if value is not None and value < today:
            following = today.replace(day=1) + timedelta(days=32)
            value = _safe_date(following.year, following.month, int(m[1]))
        add(m.start(), m.end(), value)
    return sorted(found)


def _day(today: date, month: int, day: int, year: str | None) -> date | None:
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe_date(full, month, day)
    value = _safe_date(today.year, month, day)
    if value is not None and value < today:
        value = _safe_date(today.year + 1, month, day)
    return value


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _time(text: str) -> str | None:
    """The last clock time ``text`` names, as 24-hour ``HH:MM``."""
    times: list[tuple[int, str]] = []
    for m in _CLOCK_12.finditer(text):
        hour, minute = int(m[1]), int(m[2] or 0)
        if 1 <= hour <= 12:
            hour = hour % 12 + (12 if m[3].lower() == "p" else 0)
            times.append((m.start(), f"{hour:02d}:{minute:02d}"))
    for m in _CLOCK_24.finditer(text):
        if not any(start <= m.start() < start + 8 for start, _ in times):
            times.append((m.start(), f"{int(m[1]):02d}:{m[2]}"))
    for m in _NOON.finditer(text):
        times.append((m.start(), "12:00"))
    return max(times)[1] if times else None


def _guests(text: str) -> int | None:
    """The last guest count ``text`` names."""
    counts: list[tuple[int, int]] = []
    for pattern in _GUESTS:
        for m in pattern.finditer(text):
            word = m[1].lower()
            counts.append((m.start(), int(word) if word.isdigit() else _NUMBER_WORDS[word]))
    return max(counts)[1] if counts else None
