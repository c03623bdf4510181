"""The event date a customer message names, resolved against a given ``today``.

ISO dates, "June 14", "14th of June", "6/14" (month first unless the business
reads day first), "tomorrow", "in two weeks", "next Saturday". None rather than
a guess: a missing date is asked for again, a wrong one would be repeated back.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>20\d\d))?"
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS |= {name.lower(): i for i, name in enumerate(calendar.day_abbr)}

_ISO_DATE = re.compile(r"\b(?P<year>20\d\d)-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}", re.I)
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b{_YEAR}", re.I)
# 6/14, 14/6, 6/14/2027, 14.6.27: not a fraction or a price ("1/2 tray", "$6/14").
_NUMERIC_DATE = re.compile(r"(?<![\d$/.])(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?(?![\d/%])")
_FRACTIONS = frozenset({(1, 2), (1, 3), (1, 4), (2, 3), (3, 4)})
_RELATIVE_DAY = re.compile(r"\b(today|tonight|tomorrow|day after tomorrow)\b", re.I)
_WEEKDAY = re.compile(
    r"\b(?:(?P<which>next|this|coming|on)\s+)?(?P<weekday>"
    + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
    + r")\b",
    re.I,
)
#: A month named on its own (no day): "May" counts only capitalised ("we may do it").
_MONTH_NAME = re.compile(
    r"\b(?:(?P<name>"
    + "|".join(sorted((m for m in _MONTHS if m != "may"), key=len, reverse=True))
    + r")\.?|(?P<may>(?-i:May)))\b",
    re.I,
)
#: A month or a later stretch named beside a weekday: "a Tuesday in March", "a Saturday
#: next month" name no day yet, and the coming Tuesday would be repeated back as theirs.
_LATER_STRETCH = re.compile(
    r"\b(?:next\s+(?:month|year)|(?:this|next|the)\s+(?:spring|summer|fall|autumn|winter))\b",
    re.I,
)
#: "in two weeks", "in a month": counts a date is that far ahead by.
_SMALL_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_IN_UNITS = re.compile(
    r"\bin\s+(?P<n>\d{1,2}|" + "|".join(_SMALL_COUNTS) + r")\s+(?P<unit>days?|weeks?|months?)\b",
    re.I,
)


def extract_date(text: str, *, today: date, day_first: bool = False) -> date | None:
    """The event date ``text`` names, resolved against ``today``; None if none."""
    if match := _ISO_DATE.search(text):
        return _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        if match := pattern.search(text):
            month = _MONTHS[match["month"].lower()]
            year = int(match["year"]) if match["year"] else None
            found = _upcoming(today, month, int(match["day"]), year)
            if found is not None:
                return found
    for match in _NUMERIC_DATE.finditer(text):
        first, second, year_text = int(match[1]), int(match[2]), match[3]
        if (first, second) in _FRACTIONS and not year_text:
            continue  # "1/2 the guests" is half, not the 2nd of January
        if first > 12 or (day_first and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
        year = None
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        found = _upcoming(today, month, day, year)
        if found is not None:
            return found
    if match := _RELATIVE_DAY.search(text):
        word = match[1].lower()
        offset = {"today": 0, "tonight": 0, "tomorrow": 1}.get(word, 2)
        return today + timedelta(days=offset)
    if match := _IN_UNITS.search(text):
        raw = match["n"].lower()
        n = int(raw) if raw.isdigit() else _SMALL_COUNTS.get(raw, 1)
        unit = match["unit"].lower().rstrip("s")
        if unit == "month":
            return _add_months(today, n)
        return today + timedelta(days=n * (7 if unit == "week" else 1))
    if _MONTH_NAME.search(text) or _LATER_STRETCH.search(text):
        return None  # a weekday "in March": which one is still to be asked
    for match in _WEEKDAY.finditer(text):
        weekday = _WEEKDAYS[match["weekday"].lower()]
        # A bare "sat" or "sun" is too often something else; ask for a prefix.
        if len(match["weekday"]) <= 3 and not match["which"]:
            continue
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


def partial_date(text: str) -> str | None:
    """The part of a date ``text`` gives without its day: "Saturday in May", "May".

    None when it gives none, or a whole date (`extract_date` has that).
    """
    month = _MONTH_NAME.search(text)
    if month is None or extract_date(text, today=date(2000, 1, 1)) is not None:
        return None
    name = calendar.month_name[_MONTHS[(month["name"] or month["may"]).lower()]]
    weekday = _WEEKDAY.search(text)
    if weekday is not None and len(weekday["weekday"]) > 3:
        return f"{calendar.day_name[_WEEKDAYS[weekday['weekday'].lower()]]} in {name}"
    return name


def named_weekday(text: str) -> int | None:
    """The weekday ``text`` names as its event's (Monday is 0), or None.

    Bare "sat" and "sun" do not count, nor "next Saturday": that one is a date.
    """
    for match in _WEEKDAY.finditer(text):
        if len(match["weekday"]) <= 3 and not match["which"]:
            continue
        if (match["which"] or "").lower() in ("next", "this", "coming"):
            return None
        return _WEEKDAYS[match["weekday"].lower()]
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(today: date, month: int, day: int, year: int | None) -> date | None:
    """That day in ``year``, or its next occurrence on or after ``today``."""
    if not 1 <= month <= 12:
        return None
    if year is not None:
        return _safe_date(year, month, day)
    found = _safe_date(today.year, month, day)
    if found is not None and found < today:
        found = _safe_date(today.year + 1, month, day)
    return found


def _add_months(today: date, months: int) -> date:
    month_index = today.month - 1 + months
    year, month = today.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
