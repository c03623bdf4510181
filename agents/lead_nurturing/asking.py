"""What a lead reply asks next, decided in code, and whether a model's reply does it.

A booking needs the date (is a chef free?), the guest count (the price) and the
place (travel), then a name: the next question is the first of those still
unknown. A small model asked to "ask for what is missing" repeats the customer,
apologises for nothing or asks about cake; its reply is checked here and, when
it fails, the plain question is sent instead (`agents.lead_nurturing.agent`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from agents.lead_nurturing.dates import named_weekday, partial_date

#: The lead fields asked for, in the order that matters to book.
ORDER = ("event_date", "guests", "location", "name")
#: The question for each field, as sent when the model's own phrasing fails.
QUESTIONS = {
    "event_date": "What date are you planning the party for?",
    "guests": "How many guests are you expecting (adults and kids)?",
    "location": "Which city will the party be in?",
    "name": "And what name should I put the enquiry under?",
}
#: Words that show a question asks for the field.
_ASKS = {
    "event_date": re.compile(r"\b(?:date|when|which day|what day)\b", re.I),
    "guests": re.compile(r"\b(?:how many|guests?|people|headcount|guest count)\b", re.I),
    "location": re.compile(r"\b(?:city|where|location|address|area)\b", re.I),
    "name": re.compile(r"\bname\b", re.I),
}
_SENTENCE = re.compile(r"[^.!?\n]*[.!?]?")
_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies)\b", re.I)
_COMPLAINT = re.compile(
    r"\b(?:wrong|late|bad|problem|issue|complain\w*|disappoint\w*|sorry|mistake)\b", re.I
)
_OCCASIONS = re.compile(
    r"\b(?:(?:\w+(?:'s)?\s+)?(?:\d+(?:st|nd|rd|th)\s+)?(?:birthday|anniversary)"
    r"|wedding(?: reception)?|rehearsal dinner|engagement party|graduation(?: party)?"
    r"|family reunion|reunion|baby shower|bridal shower|retirement party|holiday party"
    r"|office party|team lunch|team dinner|company event|corporate event|company party"
    r"|sweet sixteen|bachelorette party|bachelor party)\b",
    re.I,
)
_WORD = re.compile(r"[a-z0-9']+")


def date_question(partial: str | None) -> str:
    """The date question, narrowed to the part of a date the customer gave (a
    `partial_date`): "Which Saturday in May is the date?" rather than asking again
    for a date they half gave."""
    if partial is None:
        return QUESTIONS["event_date"]
    weekday, _, month = partial.rpartition(" in ")
    if weekday:
        return f"Which {weekday} in {month} is the date?"
    return f"Which date in {month} are you planning the party for?"


def weekday_check(day: date, said: Sequence[str]) -> str | None:
    """A question when the customer named another weekday than ``day``'s, else None.

    ``said`` is their messages, newest first: the newest names the date; an
    earlier one counts only if it gave a weekday without a day ("a Saturday in
    May", then "May 16", a Sunday).
    """
    named = named_weekday(said[0]) if said else None
    if named is None:
        earlier = (named_weekday(text) for text in said[1:] if " in " in (partial_date(text) or ""))
        named = next(earlier, None)
    if named is None or named == day.weekday():
        return None
    return (
        f"Just to check: {day:%B} {day.day} is a {day:%A}, not a {calendar.day_name[named]}."
        " Which date should I note?"
    )


def field_asked(question: str | None) -> str | None:
    """The lead field ``question`` asks for (the first of `ORDER` it names), or None."""
    return next((name for name in ORDER if question and asks_for(question, name)), None)


def next_field(missing: Iterable[str]) -> str | None:
    """The first field of `ORDER` among ``missing``, or None when nothing is."""
    wanted = set(missing)
    return next((name for name in ORDER if name in wanted), None)


def asks_for(text: str, field: str) -> bool:
    """Whether ``text`` has a question (a sentence ending in "?") about ``field``."""
    pattern = _ASKS[field]
    return any(s.strip().endswith("?") and pattern.search(s) for s in _SENTENCE.findall(text))


def echoes(reply: str, customer: str, *, words: int = 5) -> bool:
    """Whether ``reply`` copies a run of ``words`` or more of the customer's words."""
    theirs = _WORD.findall(customer.lower())
    runs = {tuple(theirs[i : i + words]) for i in range(len(theirs) - words + 1)}
    mine = _WORD.findall(reply.lower())
    return any(tuple(mine[i : i + words]) in runs for i in range(len(mine) - words + 1))


def apologises_for_nothing(reply: str, customer: str) -> bool:
    """Whether ``reply`` says sorry when the customer complained of nothing."""
    return bool(_APOLOGY.search(reply)) and not _COMPLAINT.search(customer)


def fault(reply: str, customer: str, *, known: Mapping[str, Any], ask: str | None) -> str | None:
    """Why a lead reply must not be sent (None when it may): it repeats the customer,
    apologises for nothing, asks for a field already ``known``, or does not ask
    the ``ask`` field when one is missing."""
    if echoes(reply, customer):
        return "repeats the customer"
    if apologises_for_nothing(reply, customer):
        return "apologises for nothing"
    for name in ORDER:
        if known.get(name) and asks_for(reply, name) and name != ask:
            return f"asks for the {name.replace('_', ' ')} already known"
    if ask is not None and not asks_for(reply, ask):
        return f"does not ask for the {ask.replace('_', ' ')}"
    return None


def opening(customer: str, told: Mapping[str, Any], question: str, *, first: bool) -> str:
    """A short reply built in code: thanks on the ``first`` reply (naming the occasion
    when the customer did), what this message ``told`` read back in a few words,
    then ``question``."""
    parts = []
    if first:
        occasion = _OCCASIONS.search(customer)
        what = f"your {occasion.group(0).lower()}" if occasion else "your event"
        what = re.sub(r"^your (?:my|our|a|an|the) ", "your ", what)
        parts.append(f"Thanks for thinking of us for {what}!")
    noted = _noted(told)
    if noted:
        parts.append(f"Got it: {noted}.")
    parts.append(question)
    return " ".join(parts)


def _noted(told: Mapping[str, Any]) -> str:
    pieces = []
    if told.get("guests"):
        pieces.append(f"{told['guests']} guests")
    if told.get("event_date"):
        try:
            day = date.fromisoformat(str(told["event_date"]))
            pieces.append(f"on {day:%A}, {day:%B} {day.day}")
        except ValueError:
            pass
    if told.get("location"):
        pieces.append(f"in {told['location']}")
    return " ".join(pieces)
