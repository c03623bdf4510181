"""Extractive answers: the documents' own sentences, with a short lead-in.

A small model asked to paraphrase a policy changes it ("Yes, you can get a
refund if you cancel 3 days before"). For fact questions on such a model the
answer is the retrieved statements themselves: the bullet (or sentence) of the
best chunks that shares most of the question's words, after a lead-in chosen
from the document it comes from. Code picks the facts; no model rewords them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from agents.knowledge.coverage import GENERIC
from agents.knowledge.terms import terms

_LABEL = re.compile(r"^([A-Z][\w &/-]{1,40}):\s+(.+)$", re.DOTALL)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def statements(text: str) -> list[str]:
    """The statements of a chunk: its bullets or lines, long ones cut at sentence ends."""
    found: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        found.extend([line] if len(line) <= 260 else _SENTENCE.split(line))
    return found


def _phrase(statement: str, title: str) -> str:
    """``statement`` after a lead-in that fits its document ("Our weather policy: ...")."""
    label = _LABEL.match(statement)
    lowered = title.lower()
    if label is None:
        return statement
    name, rest = label.group(1).strip(), label.group(2).strip()
    if "polic" in lowered and len(name.split()) <= 3:
        return f"Our {name.lower()} policy: {rest}"
    return f"{name}: {rest}"


def _lead_in(title: str) -> str:
    lowered = title.lower()
    if "pric" in lowered:
        return "From our price list - "
    if "polic" in lowered:
        return ""
    return "Here's what I can tell you - "


def pick(question: str, hits: Sequence[Any], *, limit: int = 2) -> list[tuple[Any, str]]:
    """The (hit, statement) pairs that answer ``question`` best, best first.

    A statement scores by the question's topic terms it holds, each weighted by
    how rare it is among the candidates (a word every statement has says
    little); the chunk's retrieval rank breaks ties. A second statement is
    kept only when it adds a topic term the first lacks.
    """
    wanted = [t for t in dict.fromkeys(terms(question)) if t not in GENERIC]
    candidates = []
    for rank, hit in enumerate(hits):
        for statement in statements(hit.text):
            words = set(terms(f"{hit.heading} {statement}"))
            candidates.append((rank, hit, statement, words))
    if not candidates:
        return []
    total = len(candidates)
    weight = {t: math.log(1 + total / (1 + sum(t in c[3] for c in candidates))) for t in wanted}

    def score(words: set[str]) -> float:
        return sum(weight[t] for t in wanted if t in words)

    scored = sorted(candidates, key=lambda c: (-score(c[3]), c[0]))
    best = scored[0]
    chosen = [(best[1], best[2])]
    covered = {t for t in wanted if t in best[3]}
    for candidate in scored[1:]:
        if len(chosen) >= limit:
            break
        adds = {t for t in wanted if t in candidate[3]} - covered
        # Only a statement that answers a good part of the question on its own.
        if adds and candidate[2] != best[2] and score(candidate[3]) >= score(best[3]) / 2:
            chosen.append((candidate[1], candidate[2]))
            covered |= adds
    return chosen


def extractive_answer(question: str, hits: Sequence[Any]) -> str | None:
    """The documents' statements answering ``question``, with a lead-in; None without hits."""
    chosen = pick(question, hits)
    if not chosen:
        return None
    title = getattr(chosen[0][0], "title", "") or chosen[0][0].document
    parts = [
        _phrase(statement, getattr(hit, "title", "") or hit.document) for hit, statement in chosen
    ]
    text = " ".join(p if p.endswith((".", "!", "?")) else f"{p}." for p in parts)
    return _lead_in(title) + text


def narrowed(question: str, hits: Sequence[Any]) -> str | None:
    """Only the clauses of the best statement that hold the question's topic words
    ("lobster tail +$15" of the upgrades line): the answer to a follow-up that
    would otherwise repeat the whole line already sent."""
    chosen = pick(question, hits, limit=1)
    if not chosen:
        return None
    wanted = {t for t in terms(question) if t not in GENERIC}
    statement = chosen[0][1]
    label = _LABEL.match(statement)
    body = label.group(2) if label else statement
    clauses = [c.strip() for c in re.split(r"[;,]\s+", body) if c.strip()]
    words = [set(terms(c)) for c in clauses]
    # A word every clause has ("price": each names an amount) tells none apart.
    telling = {t for t in wanted if not all(t in w for w in words)}
    kept = [c for c, w in zip(clauses, words, strict=True) if telling & w]
    if not kept or len(kept) == len(clauses):
        return None
    return "; ".join(kept).rstrip(".") + "."


def introduction(name: str, summary: str) -> str:
    """The business's own description, as the answer to "tell me about you"."""
    summary = " ".join(summary.split())
    first, _, rest = summary.partition(". ")
    if first.startswith(("A ", "An ")):
        # "A hibachi catering company in ..." reads on from the name.
        return " ".join([f"We're {name}, {first[0].lower()}{first[1:].rstrip('.')}.", rest]).strip()
    return f"We're {name}. {summary}"
