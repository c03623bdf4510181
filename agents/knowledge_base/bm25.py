"""`BM25Index`: Okapi BM25 over a small, in-memory collection of passages.

A business's documents are tens to a few thousand passages: a dictionary of
postings answers a query in well under a millisecond, with no dependency.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence


class BM25Index:
    """Scores passages (each a list of terms) against a query's terms.

    ``k1`` saturates repeated terms, ``b`` normalises by passage length; the
    defaults are the usual ones. Scores are absolute (not normalised), so a
    threshold means "matched at least one rare word well" for any query.
    """

    def __init__(self, passages: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self.size = len(passages)
        self._lengths = [len(p) for p in passages]
        self._average = (sum(self._lengths) / self.size) if self.size else 0.0
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for index, passage in enumerate(passages):
            for term, count in Counter(passage).items():
                self._postings.setdefault(term, []).append((index, count))
        self._idf = {
            term: math.log(1 + (self.size - len(posts) + 0.5) / (len(posts) + 0.5))
            for term, posts in self._postings.items()
        }

    def knows(self, term: str) -> bool:
        """Whether any passage contains ``term``."""
        return term in self._postings

    def scores(self, query: Sequence[str]) -> dict[int, float]:
        """Passage index to score, for the passages sharing a term with ``query``."""
        found: dict[int, float] = {}
        for term in set(query):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for index, count in self._postings[term]:
                norm = 1 - self.b + self.b * self._lengths[index] / self._average
                gain = idf * count * (self.k1 + 1) / (count + self.k1 * norm)
                found[index] = found.get(index, 0.0) + gain
        return found

    def top(self, query: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (passage index, score) pairs, best first."""
        ranked = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]
