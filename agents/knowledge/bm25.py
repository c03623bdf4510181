"""`BM25Index`: Okapi BM25 over a small, in-memory collection of passages, through bm25s.

bm25s (a maintained BM25 library, numpy only) scores; this wrapper keeps the
passages' own terms (`agents.knowledge.terms`: stop words, stems and
synonyms) as its tokens, so the query and the passages are cut the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import bm25s
import numpy as np
from bm25s.tokenization import Tokenized

# bm25s sets its own logger to DEBUG when imported, so its "Building index"
# lines reached `bot ask`'s output whatever LOG_LEVEL said; let our settings decide.
logging.getLogger("bm25s").setLevel(logging.NOTSET)


class BM25Index:
    """Scores passages (each a list of terms) against a query's terms.

    ``k1`` saturates repeated terms, ``b`` normalises by passage length; the
    defaults are the usual ones. Scores are absolute (not normalised), so a
    threshold means "matched at least one rare word well" for any query.
    """

    def __init__(self, passages: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75):
        self.size = len(passages)
        # bm25s's Lucene variant leaves out BM25's (k1 + 1) factor: put back, so
        # scores (and KB_MIN_SCORE) keep the usual scale.
        self._scale = k1 + 1
        self._vocab: dict[str, int] = {}
        ids = [[self._vocab.setdefault(t, len(self._vocab)) for t in p] for p in passages]
        self._bm25: bm25s.BM25 | None = None
        if self.size and self._vocab:
            # Lucene's idf (log(1 + ...)) never goes negative, so a term in every
            # passage still counts a little, as the hand-written scorer did.
            self._bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
            self._bm25.index(Tokenized(ids=ids, vocab=self._vocab), show_progress=False)

    def knows(self, term: str) -> bool:
        """Whether any passage contains ``term``."""
        return term in self._vocab

    def vector(self, query: Sequence[str]) -> np.ndarray:
        """Every passage's score for ``query``, in passage order."""
        known = [t for t in query if t in self._vocab]
        if self._bm25 is None or not known:
            return np.zeros(self.size, dtype=np.float32)
        # bm25s counts a repeated query term once per occurrence; the query is a set.
        scores = self._bm25.get_scores(list(dict.fromkeys(known)))
        return np.asarray(scores, dtype=np.float32) * self._scale

    def scores(self, query: Sequence[str]) -> dict[int, float]:
        """Passage index to score, for the passages sharing a term with ``query``."""
        return {i: float(s) for i, s in enumerate(self.vector(query)) if s > 0}

    def top(self, query: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (passage index, score) pairs, best first."""
        return best(self.vector(query), limit)


def best(scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (index, score) pairs of ``scores`` above 0, best first."""
    ranked = sorted(
        ((i, float(s)) for i, s in enumerate(scores) if s > 0), key=lambda item: (-item[1], item[0])
    )
    return ranked[:limit]
