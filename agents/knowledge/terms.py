"""Terms: the words retrieval matches, with stop words dropped and endings trimmed.

Plain, offline and fast: lower-case words, a short English stop list, crude
suffix stripping (so "guests" meets "guest" and "cancelled" meets "cancel"),
and synonyms a customer uses for what a document says another way ("how much"
and "cost" ask for a price; a "$" amount is one). The synonyms are data: the
business's ``synonyms.yml``, else the built-in list (`agents.knowledge.synonyms`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from agents.knowledge.synonyms import BUILT_IN, read_synonyms

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_MONEY = re.compile(r"\$\s?\d")
# "How much" asks a price when a verb or "for" follows ("how much is it", "how much
# for 25"), not when a noun does: "how much patio space", "how much notice".
_HOW_MUCH = re.compile(
    r"\bhow much\b(?=\s*(?:$|[?.!,]|(?:is|are|was|were|does|do|did|would|will|could|should"
    r"|can|for|per|to|each|extra|more|it|its|it's|you|u|money|\$)\b))"
)


STOP_WORDS = frozenset(
    """a about after again all also am an and any are as at be been before being but by
    can could did do does doing for from get got had has have having he her here hers him
    his how i i'd i'm if in into is it it's its just me more most my no nor not now of off
    on once only or other our ours out over own please same she should so some such than
    that the their them then there these they this those through to too under until up us
    very was we were what when where which while who whom why will with would you you're
    your yours hi hello hey thanks thank ok okay much many""".split()
)

_CANONICAL: dict[str, str] = {}
_PHRASES: dict[str, str] = {}


def use_synonyms(synonyms: Mapping[str, Sequence[str]]) -> None:
    """Make ``synonyms`` (``{"what the documents say": ["what customers say"]}``) the
    words retrieval treats as one, replacing the previous list.

    The knowledge base calls this at start with the business's ``synonyms.yml``
    (or the built-in list, see `agents.knowledge.synonyms`): one business
    per process, so one list.
    """
    _CANONICAL.clear()
    _PHRASES.clear()
    _terms.cache_clear()
    for word, aliases in synonyms.items():
        for alias in aliases:
            alias = str(alias).lower().strip()
            if alias and alias != word:
                _CANONICAL[alias] = str(word).lower()
                if " " in alias:
                    _PHRASES[alias] = str(word).lower()


def active_synonyms() -> dict[str, list[str]]:
    """The synonyms in use, as `use_synonyms` takes them (tests put them back)."""
    found: dict[str, list[str]] = {}
    for alias, word in _CANONICAL.items():
        found.setdefault(word, []).append(alias)
    return found


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A crude stem: one common ending off, then a final "e" or "y" (time/timing, windy/wind)."""
    if len(word) <= 3:
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if suffix == "s" and word.endswith(("ss", "is")):
            continue
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if len(word) >= 4 and (word[-1] == "e" or (word[-1] == "y" and word[-2] not in "aeiou")):
        return word[:-1]  # "windy" meets "wind", "policy" meets "policies"
    return word


def terms(text: str) -> list[str]:
    """The retrieval terms of ``text``, in order, repeats kept (BM25 counts them)."""
    return list(_terms(text))


# An answer asks for the same texts' terms many times (the question's by each check,
# the documents' sentences by every answer that quotes them): ~0.5 ms a message.
@lru_cache(maxsize=8192)
def _terms(text: str) -> tuple[str, ...]:
    lowered = text.lower()
    found: list[str] = []
    for phrase, word in _PHRASES.items():
        if phrase in lowered:
            found.append(stem(word))
    # Each amount counts: a passage listing prices is about prices.
    amounts = len(_MONEY.findall(text)) + (1 if _HOW_MUCH.search(lowered) else 0)
    found.extend([stem("price")] * amounts)  # "$60 per adult" answers "how much"
    for word in _WORD.findall(lowered):
        word = word.removesuffix("'s")
        # Numbers in a question are guest counts and dates, in a document prices and
        # limits: matching "20 guests" to "from 20 guests" finds the wrong passage.
        if word in STOP_WORDS or word.isdigit():
            continue
        found.append(stem(_CANONICAL.get(word, word)))
    return tuple(found)


use_synonyms(read_synonyms(BUILT_IN))
