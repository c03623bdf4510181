"""The factual claims of a reply the business's documents must support.

The money check (`amounts`) keeps invented prices out; a reply also states
numbers with units ("15 feet", "2 hours", "20%"), answers yes or no to "do
you / can you / is there" questions, and states policies ("you get a full
refund"). Each such claim must be found in what the agent was given (the
retrieved chunks, its notes) or the customer's own message; `unsupported`
names the ones that are not, and the agent then sends the documents' own
words or "not sure" instead (see `Agent.grounded`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.knowledge.amounts import unsupported_amounts
from agents.knowledge.coverage import GENERIC
from agents.knowledge.terms import terms

_UNITS = {
    "%": "%",
    "percent": "%",
    "feet": "ft",
    "foot": "ft",
    "ft": "ft",
    "minute": "min",
    "minutes": "min",
    "mins": "min",
    "min": "min",
    "hour": "h",
    "hours": "h",
    "hrs": "h",
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
    "month": "mo",
    "months": "mo",
    "mile": "mi",
    "miles": "mi",
    "guest": "g",
    "guests": "g",
    "people": "g",
    "persons": "g",
    "adults": "g",
    "kids": "k",
    "children": "k",
    "years": "y",
    "year": "y",
}
_QUANTITY = re.compile(
    r"(?<![\w$£€.])(\d+(?:\.\d+)?)\s*(?:-\s*\d+\s*)?(%|percent\b|[a-z]+\b)", re.IGNORECASE
)
_YES_NO_QUESTION = re.compile(
    r"^\W*(?:do|does|can|could|is|are|will|would|have|has)\s+(?:you|we|i|there|it|they|the|your)\b",
    re.IGNORECASE,
)
_YES_NO_ANSWER = re.compile(
    r"^\W*(?:yes|yeah|yep|no|nope|of course|absolutely|sure|unfortunately|sadly)\b"
    # "We do...", "The chef can...": a yes or no in other words.
    r"|^\W*(?:\w+\s+){0,2}(?:do|don't|do not|does|doesn't|can|can't|cannot|are|aren't|is|isn't"
    r"|will|won't|offer|offers|provide|provides)\b",
    re.IGNORECASE,
)
_POLICY = re.compile(
    r"\b(?:refund\w*|cancel\w*|deposit|insur\w*|certif\w*|allerg\w*|reschedul\w*|policy|"
    r"guarantee\w*|included|free of charge|no charge|non-refundable|must|required?|only)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def quantities(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs ``text`` states ("10 by 10 feet" gives ("10", "ft"))."""
    found = set()
    for number, unit in _QUANTITY.findall(text):
        kind = _UNITS.get(unit.lower())
        if kind:
            found.add((number.rstrip("0").rstrip(".") if "." in number else number, kind))
    # "10 by 10 feet": the first number has the unit of the second.
    for first, _second, unit in re.findall(r"(\d+)\s*(?:by|x)\s*(\d+)\s*([a-z]+)", text, re.I):
        kind = _UNITS.get(unit.lower())
        if kind:
            found.add((first, kind))
    return found


def _supported_sentence(sentence: str, known: set[str]) -> bool:
    words = [t for t in terms(sentence) if t not in GENERIC]
    return not words or sum(t in known for t in words) / len(words) >= 0.6


def unsupported(
    reply: str, sources: Iterable[str], question: str, *, customer_said: Iterable[str] = ()
) -> list[str]:
    """Why ``reply`` may not be sent: each claim the sources and question do not support.

    ``customer_said`` is the customer's earlier messages: a number they gave
    ("30 guests" two messages ago) is theirs to hear back, not an invented fact.
    """
    sources = list(sources)
    said = " ".join([*customer_said, question])
    given = " ".join([*sources, said])
    reasons = [f"amount {value}" for value in unsupported_amounts(reply, sources, said)]
    stated = quantities(given)
    for number, unit in sorted(quantities(reply) - stated):
        reasons.append(f"quantity {number} {unit}")
    if _YES_NO_QUESTION.search(question) and _YES_NO_ANSWER.search(reply):
        # Code cannot tell whether a model's "yes" is the documents' yes: the
        # documents' own sentence answers instead.
        reasons.append("yes/no answer")
    known = set(terms(given))
    for sentence in _SENTENCE.split(reply):
        if _POLICY.search(sentence) and not _supported_sentence(sentence, known):
            reasons.append(f"policy: {sentence.strip()[:80]}")
    return reasons
