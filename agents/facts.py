"""Picking the business facts that matter for one message.

A small model answers better, and sooner, from six relevant lines than from
every note the business wrote. This is plain word overlap over the notes'
bullet lines; the knowledge base (BM25, embeddings) replaces it later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9$]+")
_STOP = frozenset(
    """a an and are as at be by can do does for from have how i if in is it me my of on or our
    so that the there this to u us we what when where which who will with you your""".split()
)


def _stems(text: str) -> set[str]:
    words = (w for w in _WORD.findall(text.lower()) if w not in _STOP)
    # Crude stemming is enough to match "guests"/"guest" and "cancelled"/"cancel".
    return {re.sub(r"(?:ing|ed|es|s)$", "", w) or w for w in words}


def fact_lines(notes: Iterable[str]) -> list[str]:
    """Every bullet or paragraph line of the notes, headings dropped."""
    lines = []
    for note in notes:
        for line in note.splitlines():
            line = line.strip().lstrip("-*").strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


class FactIndex:
    """The business's fact lines with their words, ready to be matched to questions."""

    def __init__(self, facts: list[str]) -> None:
        self.facts = facts
        self._stems = [_stems(fact) for fact in facts]

    def relevant(self, question: str, *, limit: int = 5) -> list[str]:
        """The ``limit`` facts sharing most words with ``question``, in their original order."""
        wanted = _stems(question)
        scored = [(len(wanted & stems), i) for i, stems in enumerate(self._stems)]
        best = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:limit]
        return [self.facts[i] for i in sorted(i for _, i in best)]
