"""Lexical similarity between a message and routing examples: TF-IDF, three views.

Each text is seen as words, word pairs and letter groups (3 to 5 letters inside a
word, so "refunded" still meets "refund" and typos keep most of their groups).
Each view is a TF-IDF vector weighted by the examples' document frequencies; the
similarity of two texts is the weighted mean of the three views' cosines.
Pure Python over sparse dicts: a few hundred examples score in about a millisecond.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

_TOKEN = re.compile(r"[a-z0-9#]+")
_DIGITS = re.compile(r"\d+")
#: Words too common to show that a message shares a topic with an example.
STOP_WORDS = frozenset(
    "a an and are as at be but by can could do does did for from get got have has hi hello"
    " hey i i'm im is it its me my of on or our please so that the their them then there"
    " they this to too u up us was we were what whats when where which who will with would"
    " you your yours s ll d re ve m t just need want like ok okay".split()
)
#: How much each view counts in the similarity.
VIEW_WEIGHTS = {"word": 1.0, "pair": 0.7, "chars": 0.9}


def tokens(text: str) -> list[str]:
    """Lower-cased words; every number becomes ``#`` (20 guests and 40 guests look alike)."""
    return _TOKEN.findall(_DIGITS.sub("#", text.lower().replace("'", "")))


def content_words(text: str) -> set[str]:
    """The words of ``text`` that say something (not stop words, not bare numbers)."""
    return {t for t in tokens(text) if t not in STOP_WORDS and t != "#"}


def _views(text: str) -> dict[str, Counter[str]]:
    words = tokens(text)
    chars: Counter[str] = Counter()
    for word in words:
        padded = f" {word} "
        for size in (3, 4, 5):
            chars.update(padded[i : i + size] for i in range(len(padded) - size + 1))
    return {
        "word": Counter(words),
        "pair": Counter(f"{a} {b}" for a, b in pairwise(words)),
        "chars": chars,
    }


class LexicalIndex:
    """TF-IDF vectors of example texts, and cosine similarities to a query."""

    def __init__(self, texts: Sequence[str]) -> None:
        views = [_views(text) for text in texts]
        self._idf: dict[str, dict[str, float]] = {}
        for view in VIEW_WEIGHTS:
            df: Counter[str] = Counter()
            for v in views:
                df.update(v[view].keys())
            n = len(views)
            self._idf[view] = {term: math.log((n + 1) / (c + 1)) + 1.0 for term, c in df.items()}
        self._vectors = [self._vector(v) for v in views]
        # Per view, term -> [(example, weight)]: a query visits only the examples that
        # share a term with it, not every example (4.5 ms -> well under 1 ms a message).
        self._postings: dict[str, dict[str, list[tuple[int, float]]]] = {
            view: {} for view in VIEW_WEIGHTS
        }
        for number, vector in enumerate(self._vectors):
            for view, weights in vector.items():
                postings = self._postings[view]
                for term, weight in weights.items():
                    postings.setdefault(term, []).append((number, weight))
        self.vocabulary = set().union(*(content_words(t) for t in texts)) if texts else set()

    def _vector(self, views: dict[str, Counter[str]]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for view, counts in views.items():
            idf = self._idf[view]
            # A term no example has cannot match anything: leave it out of the norm too,
            # or an unknown word would lower every similarity of the message alike.
            weights = {t: (1 + math.log(c)) * idf[t] for t, c in counts.items() if t in idf}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            out[view] = {t: w / norm for t, w in weights.items()}
        return out

    def similarities(self, text: str) -> list[float]:
        """Similarity (0 to 1) of ``text`` to every example, in the examples' order."""
        query = self._vector(_views(text))
        total = sum(VIEW_WEIGHTS.values())
        scores = [0.0] * len(self._vectors)
        for view, weight in VIEW_WEIGHTS.items():
            postings = self._postings[view]
            dots = [0.0] * len(scores)
            for term, w in query[view].items():
                for number, e in postings.get(term, ()):
                    dots[number] += w * e
            for number, dot in enumerate(dots):
                scores[number] += weight * dot
        return [score / total for score in scores]

    def shares_words(self, text: str) -> bool:
        """Whether ``text`` has a content word some example also has."""
        return bool(content_words(text) & self.vocabulary)
