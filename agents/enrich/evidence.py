"""The evidence check: what the model says about a lead must be in the sources.

A model can be fooled by a page, or make things up. So its draft is checked
against the sources it was given, and only what holds is kept:

- An **intent signal** is kept when its ``source_url`` is one of the sources,
  that source is not flagged (`agents.research.untrusted` found text
  addressed to an AI in it), and its ``evidence`` quote (at least
  `MIN_QUOTE_WORDS` words) appears in that source's text. Quotes are compared
  word by word, ignoring case, punctuation and spacing; an ellipsis may join
  pieces that appear in that order.
- The **e-mail** is kept when it appears in an unflagged source or among the
  contact's known addresses. Without one, the contact's first known address
  is used.
- The **lead score** is bounded by the evidence: at most `NO_EVIDENCE_CAP`
  (0.5) with no verified signal, plus `PER_SIGNAL` (0.15) per verified
  signal (counting at most `MAX_SIGNALS_PER_SOURCE` from one source, so one
  page cannot vouch for a lead alone), and never above the model's own score.

Every drop and every lowered score is explained in ``notes``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from agents.enrich.result import EnrichmentDraft, IntentSignal
from agents.research.base import PersonProfile, Source

NO_EVIDENCE_CAP = 0.5
PER_SIGNAL = 0.15
MAX_SIGNALS_PER_SOURCE = 2
MIN_QUOTE_WORDS = 3

_WORD = re.compile(r"\w+")
_ELLIPSIS = re.compile(r"\.\.\.+|…|\[\.\.\.\]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class CheckedDraft:
    """The parts of a draft that survived the check, and why the rest did not."""

    intent_signals: list[IntentSignal]
    email: str | None
    lead_score: float
    notes: list[str]


def check_draft(
    draft: EnrichmentDraft, sources: Sequence[Source], person: PersonProfile
) -> CheckedDraft:
    """Check ``draft`` against ``sources`` and ``person``'s records (see the module doc)."""
    by_url = {normalise_url(source.url): source for source in sources}
    notes: list[str] = []
    kept: list[IntentSignal] = []
    seen: set[tuple[str, str]] = set()
    for signal in draft.intent_signals:
        source = by_url.get(normalise_url(signal.source_url))
        reason = _signal_problem(signal, source)
        if reason is None and source is not None:
            key = (source.url, words(signal.evidence))
            if key in seen:
                continue  # the same quote twice is one signal
            seen.add(key)
            kept.append(signal.model_copy(update={"source_url": source.url}))
        else:
            notes.append(f"Dropped intent signal {signal.signal!r}: {reason}")
    email, email_note = _checked_email(draft.email, sources, person)
    if email_note:
        notes.append(email_note)
    cap = score_cap(kept)
    score = round(min(draft.lead_score, cap), 4)
    if score < draft.lead_score:
        count = len(kept)
        what = "no verified intent signal" if count == 0 else f"{count} verified intent signal"
        notes.append(
            f"Lead score lowered from {draft.lead_score:g} to {score:g}: "
            f"with {what}{'s' if count > 1 else ''} it can be at most {cap:g}"
        )
    return CheckedDraft(intent_signals=kept, email=email, lead_score=score, notes=notes)


def score_cap(verified: Sequence[IntentSignal]) -> float:
    """The highest lead score ``verified`` signals support (see the module doc)."""
    per_source = Counter(normalise_url(signal.source_url) for signal in verified)
    counted = sum(min(n, MAX_SIGNALS_PER_SOURCE) for n in per_source.values())
    return round(min(1.0, NO_EVIDENCE_CAP + PER_SIGNAL * counted), 4)


def normalise_url(url: str) -> str:
    """``url`` without case in scheme and host, a fragment, or a trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def words(text: str) -> str:
    """``text`` as lower-case words joined by single spaces (punctuation and spacing gone)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def quote_found(quote: str, content: str) -> bool:
    """Whether ``quote`` (pieces joined by an ellipsis, in order) is in ``content``."""
    haystack = f" {words(content)} "
    pieces = [words(piece) for piece in _ELLIPSIS.split(quote)]
    pieces = [piece for piece in pieces if piece]
    if sum(len(piece.split()) for piece in pieces) < MIN_QUOTE_WORDS:
        return False
    position = 0
    for piece in pieces:
        found = haystack.find(f" {piece} ", position)
        if found < 0:
            return False
        position = found + len(piece) + 1
    return True


def _signal_problem(signal: IntentSignal, source: Source | None) -> str | None:
    if source is None:
        return f"its source {signal.source_url!r} is not one of the sources researched"
    if source.flags:
        return f"its source {source.url} held text addressed to an AI ({', '.join(source.flags)})"
    if len(words(signal.evidence).split()) < MIN_QUOTE_WORDS:
        return f"its evidence is shorter than {MIN_QUOTE_WORDS} words"
    if not quote_found(signal.evidence, source.content):
        return f"its evidence is not in {source.url}"
    return None


def _checked_email(
    proposed: str | None, sources: Sequence[Source], person: PersonProfile
) -> tuple[str | None, str | None]:
    known = [email for email in person.emails if email]
    email = (proposed or "").strip().strip("<>").strip()
    if not email or email.lower() in ("null", "none", "unknown", "n/a"):
        return (known[0] if known else None), None
    if any(email.lower() == k.lower() for k in known):
        return email, None
    if _EMAIL.match(email) and any(_mentions(source, email) for source in sources):
        return email, None
    return (known[0] if known else None), f"Dropped e-mail {email}: it appears in no source"


def _mentions(source: Source, email: str) -> bool:
    if source.flags:
        return False
    pattern = rf"(?<![\w.+-]){re.escape(email)}(?![\w-])"
    return re.search(pattern, source.content, re.IGNORECASE) is not None
