"""Lead fields out of one customer message, by rules: no model, no network.

Pulls the name, event date (ISO, from `agents.lead_nurturing.dates`), guest
count, budget (whole US dollars) and location (a place of the business's
service area, or the city after "in"/"at"), and a time zone when the message
names one. Each rule answers None rather than guess: a missing field is asked
for again, a wrong one would be repeated back to the customer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from agents.lead_nurturing.dates import extract_date

_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "twenty-five": 25, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "a dozen": 12, "a hundred": 100, "one hundred": 100, "a": 1, "one": 1,
}  # fmt: skip
_COUNT = r"(?P<n>\d{1,4}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_PEOPLE = (
    r"(?:guests?|people|persons?|ppl|pax|attendees|heads|folks|of us|adults?|kids|children"
    r"|friends|employees|coworkers|colleagues)"
)
_GUESTS_AFTER = re.compile(
    rf"\b{_COUNT}\s*(?:\+\s*)?(?:(?:hungry|total|or so)\s+)?{_PEOPLE}\b", re.I
)
_GUESTS_BEFORE = re.compile(
    r"\b(?:party of|group of|guest count(?: is| of)?:?|headcount(?: is| of)?:?|guests?:|for)"
    rf"\s+(?:about\s+|around\s+|~)?{_COUNT}\b"
    # "for 2 hours", "for 50 dollars", "for 7pm" count no one.
    r"(?!\s*(?:\$|dollars|usd|bucks|%|am\b|pm\b|:|minutes|hours|days|weeks|months|years))",
    re.I,
)
_ADULTS_KIDS = re.compile(
    r"\b(?P<adults>\d{1,4})\s+adults?\s+(?:and|&|\+|plus)\s+(?P<kids>\d{1,4})\s+(?:kids|children|child)\b",
    re.I,
)

# "$1,500", "$2k", "1500 dollars": an amount counts with a "$" or a currency word.
_DOLLARS = re.compile(
    r"(?P<dollar>\$\s*)?(?<![\d,.])(?P<amount>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<k>k\b)?"
    r"(?:\s*(?P<word>dollars|usd|bucks)\b)?",
    re.I,
)
_BUDGET_WORD = re.compile(r"\b(budget|spend|afford|up to|max(?:imum)?|around|about|under)\b", re.I)
_PER_GUEST = re.compile(r"^\s*(?:/|per|a|each)\s*(?:head|person|guest|adult|pp)\b|^\s*pp\b", re.I)

_NAME_INTRO = re.compile(
    r"\b(?:my name is|my name's|name is|name's|this is|i am|i'm|im|call me)\s+"
    r"(?P<name>[A-Za-z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?)",
    re.I,
)
_SIGN_OFF = re.compile(r"(?:^|\s)[-–—]\s*(?P<name>[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?)\s*$")
# Words that follow "I'm" without being a name ("I'm looking", "I'm in Oakland").
_NOT_NAMES = frozenset(
    """a an the in at on from looking planning interested hoping trying wondering thinking
    hosting having throwing getting going just so very not also still here there sure ready
    curious good fine ok okay great glad happy excited booking asking calling texting writing
    reaching available free busy back new about around after before with for to by of into
    over under near out up down only really actually currently""".split()
)

_IN_PLACE = re.compile(
    r"\b(?:in|near)\s+(?P<place>(?:[A-Z][a-z]+|[A-Z]{2,3})(?:\s+[A-Z][a-z]+){0,2})"
)
# Capitalised words after "in" that are not places.
_NOT_PLACES = frozenset(
    """January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday I The A My Our Your This That
    Pacific Eastern Central Mountain PST PDT EST EDT CST CDT MST MDT UTC GMT""".split()
)

_TIME_ZONES = {
    "pacific": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles", "mountain": "America/Denver", "mst": "America/Denver",
    "mdt": "America/Denver", "central": "America/Chicago", "cst": "America/Chicago",
    "cdt": "America/Chicago", "eastern": "America/New_York", "est": "America/New_York",
    "edt": "America/New_York", "et": "America/New_York", "gmt": "Europe/London",
    "bst": "Europe/London", "cet": "Europe/Paris", "cest": "Europe/Paris",
}  # fmt: skip
_TIME_ZONE = re.compile(
    r"\b(?:(?P<word>pacific|mountain|central|eastern)\s+(?:time|standard time|daylight time)"
    r"|(?P<abbr>PST|PDT|PT|MST|MDT|CST|CDT|EST|EDT|ET|GMT|BST|CET|CEST))\b",
)


@dataclass(frozen=True, slots=True)
class LeadFields:
    """What one message told about the lead; None for what it did not say."""

    name: str | None = None
    event_date: str | None = None  # ISO date
    guests: int | None = None
    budget: int | None = None  # whole US dollars, for the whole event
    location: str | None = None
    time_zone: str | None = None  # IANA name

    def known(self) -> dict[str, Any]:
        """The lead fields found (time zone excluded: it belongs to the contact)."""
        return {k: v for k, v in asdict(self).items() if v is not None and k != "time_zone"}


def extract_lead(
    text: str,
    *,
    today: date,
    service_area: Sequence[str] = (),
    day_first: bool = False,
) -> LeadFields:
    """The lead fields ``text`` reveals.

    Dates without a year are the next such date on or after ``today``; a
    weekday ("next Saturday", "on Friday") is the first one after ``today``.
    ``6/7`` reads month first unless ``day_first`` (``14/6`` is day first
    either way). ``service_area`` names the places the business serves; one
    of them mentioned anywhere wins over a city after "in".
    """
    guests = extract_guests(text)
    return LeadFields(
        name=extract_name(text),
        event_date=_iso(extract_date(text, today=today, day_first=day_first)),
        guests=guests,
        budget=extract_budget(text, guests=guests),
        location=extract_location(text, service_area=service_area),
        time_zone=extract_time_zone(text),
    )


def extract_name(text: str) -> str | None:
    """The name the writer gives ("I'm Dana", "my name is dana lee", "- Dana")."""
    for match in _NAME_INTRO.finditer(text):
        words = match.group("name").split()
        intro = match.group(0).lower()
        explicit = "name" in intro or "call me" in intro
        if words[0].lower() in _NOT_NAMES:
            continue
        # After "I'm"/"this is" only a capitalised word is a name ("I'm Dana", not "I'm hungry").
        if not explicit and not words[0][0].isupper():
            continue
        # A second word is a surname only when capitalised and not a place or weekday.
        if len(words) > 1 and (words[1] in _NOT_PLACES or words[1].lower() in _NOT_NAMES):
            words = words[:1]
        return " ".join(w[0].upper() + w[1:] for w in words)
    sign_off = _SIGN_OFF.search(text.strip())
    return sign_off.group("name") if sign_off else None


def extract_guests(text: str) -> int | None:
    """The guest count ("20 guests", "party of 12", "15 adults and 5 kids")."""
    if match := _ADULTS_KIDS.search(text):
        return int(match["adults"]) + int(match["kids"])
    for pattern in (_GUESTS_AFTER, _GUESTS_BEFORE):
        for match in pattern.finditer(text):
            raw = match["n"].lower()
            count = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
            if 1 < count <= 2000:
                return count
    return None


def extract_budget(text: str, *, guests: int | None = None) -> int | None:
    """The budget for the whole event in dollars ("$1,500", "2k budget", "$40 a head").

    A per-guest amount counts only with a guest count to multiply it by.
    """
    best: int | None = None
    for match in _DOLLARS.finditer(text):
        if not (match["dollar"] or match["word"]):
            continue
        amount = float(match["amount"].replace(",", ""))
        if match["k"]:
            amount *= 1000
        if _PER_GUEST.match(text[match.end() :]):
            if guests is None:
                continue
            amount *= guests
        window = text[max(0, match.start() - 40) : match.start()]
        # A dollar amount with "budget" before it is the budget; otherwise the largest.
        if _BUDGET_WORD.search(window):
            return int(amount)
        best = max(best or 0, int(amount))
    # "budget 2k": a budget named without a currency sign.
    if best is None and (named := re.search(r"\bbudget\D{0,20}?(\d[\d,]*)\s*(k\b)?", text, re.I)):
        best = int(float(named[1].replace(",", "")) * (1000 if named[2] else 1))
    return best if best else None


def extract_location(text: str, *, service_area: Sequence[str] = ()) -> str | None:
    """A service-area place the text names, else the capitalised place after "in"/"at"."""
    for place in sorted(service_area, key=len, reverse=True):
        # Initials ("SF") only in capitals: "sf" or "sj" in lower case is rarely a place.
        flags = 0 if place.isupper() else re.I
        if re.search(rf"\b{re.escape(place)}\b", text, flags):
            return place
    for match in _IN_PLACE.finditer(text):
        words = match["place"].split()
        while words and words[-1] in _NOT_PLACES:
            words.pop()
        if words and words[0] not in _NOT_PLACES:
            return " ".join(words)
    return None


def extract_time_zone(text: str) -> str | None:
    """The IANA time zone named by "Pacific time", "EST" and the like."""
    match = _TIME_ZONE.search(text) or _TIME_ZONE.search(text.lower())
    if match is None:
        return None
    key = (match["word"] or match["abbr"]).lower()
    return _TIME_ZONES.get(key)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
