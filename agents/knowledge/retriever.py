"""`Retriever`: BM25 search over the knowledge store's chunks, kept in memory.

The index is built from the store on first use and rebuilt when the store's
version changes (checked at most every ``refresh_s`` seconds, so a document
added by ``bot kb add`` in another process shows up in a running server
without a database read per message).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents.knowledge.bm25 import BM25Index, best
from agents.knowledge.coverage import GENERIC, uncovered
from agents.knowledge.embeddings import VendorEmbeddings, fused
from agents.knowledge.terms import terms
from memory.knowledge import KnowledgeStore, StoredChunk

log = logging.getLogger(__name__)

#: Seconds retrieval goes by words alone after the embeddings API failed.
EMBEDDINGS_COOLDOWN_S = 60.0

#: The term of "price", "cost", "charge", "how much" and "$" (the synonyms map them to it).
PRICE_TERM = terms("price")[0]


@dataclass(frozen=True, slots=True)
class Hit:
    """One chunk retrieval found, with its BM25 score (higher is better)."""

    chunk_id: int
    document: str  # the document's source (pricing.md)
    heading: str
    text: str
    score: float
    #: The document's title ("Policies"): the extractive answer's lead-in depends on it.
    title: str = ""

    def citation(self) -> dict[str, Any]:
        """What a stored reply's meta records about this chunk."""
        return {
            "chunk_id": self.chunk_id,
            "source": self.document,
            "heading": self.heading,
            "score": round(self.score, 2),
        }


class Retriever:
    """Searches the business's documents; `relevant` keeps what is good enough to cite."""

    def __init__(
        self,
        store: KnowledgeStore,
        *,
        top_k: int = 4,
        min_score: float = 2.4,
        refresh_s: float = 30.0,
        embeddings: VendorEmbeddings | None = None,
        vector_weight: float = 1.0,
    ) -> None:
        """With ``embeddings``, chunks are ordered by BM25 fused with their vectors'
        similarity (`fused`, ``vector_weight``); a vendor error leaves a search lexical."""
        self.store = store
        self.embeddings = embeddings
        self.vector_weight = vector_weight
        self._vectors: np.ndarray | None = None
        self._down_until = float("-inf")
        #: How many chunks `relevant` gives at most (KB_TOP_K).
        self.top_k = top_k
        #: Under this BM25 score a chunk does not answer anything (KB_MIN_SCORE).
        self.min_score = min_score
        self.refresh_s = refresh_s
        self._chunks: list[StoredChunk] = []
        self._index = BM25Index([])
        self._version: object = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    async def search(self, query: str, limit: int = 4) -> list[Hit]:
        """The ``limit`` best-scoring chunks for ``query``, best first, whatever their score."""
        await self._fresh()
        lexical = self._index.vector(terms(query))
        order = await self._semantic_order(query, lexical, limit)
        ranked = best(lexical, limit) if order is None else [(i, float(lexical[i])) for i in order]
        # The score stays BM25's: KB_MIN_SCORE and citations mean what they did.
        return [
            Hit(c.id, c.source, c.heading, c.text, score, c.title)
            for c, score in ((self._chunks[i], s) for i, s in ranked)
        ]

    async def _semantic_order(
        self, query: str, lexical: np.ndarray, limit: int
    ) -> list[int] | None:
        """The ``limit`` best chunks by BM25 (``lexical``) fused with the vectors' similarity;
        None without embeddings or when they failed."""
        if self.embeddings is None or not self._chunks or time.monotonic() < self._down_until:
            return None
        try:
            if self._vectors is None:
                texts = [f"{c.heading}: {c.text}" for c in self._chunks]
                self._vectors = await self.embeddings.embed_cached(texts)
            asked = (await self.embeddings.embed([query]))[0]
        except Exception as exc:  # the vendor is down or refuses: words alone still answer
            # Not asked again for a while: a vendor that hangs would slow every answer.
            self._down_until = time.monotonic() + EMBEDDINGS_COOLDOWN_S
            log.warning("knowledge base: embeddings failed, searching by words: %s", exc)
            return None
        scores = fused(lexical, self._vectors @ asked, self.vector_weight)
        return [int(i) for i in np.argsort(-scores, kind="stable")[:limit]]

    async def relevant(self, query: str, *, also: Iterable[str] = ()) -> list[Hit]:
        """The chunks that answer ``query`` well enough to use and cite.

        None when the question names a topic no document (nor ``also``, the
        terms of the business's own description) mentions: "events in
        Sacramento" matches "events" well, but nothing says Sacramento (see
        `agents.knowledge.coverage`). Otherwise those scoring
        ``min_score`` or more, or when none does (every word it asks about is
        in the documents, but common there), the best ones whatever their score.
        """
        hits = await self.search(query, self.top_k)
        if not hits or uncovered(query, self._index.knows, also=also):
            return []
        if all(term in GENERIC for term in terms(query)):
            # "Tell me about you" names no topic: its "tell" found "Allergies: tell
            # us at booking", and the customer was told the allergy policy.
            return []
        strong = [hit for hit in hits if hit.score >= self.min_score]
        if PRICE_TERM in terms(query):
            # A price question is answered by the price list: "dinner prices?" matched
            # the timing line's rarer "dinner" best, and was told how long dinner lasts.
            priced = [hit for hit in hits if PRICE_TERM in terms(f"{hit.heading} {hit.text}")]
            strong = [hit for hit in strong if hit in priced] or priced or strong
        return strong or hits

    def uncovered(self, query: str, *, also: Iterable[str] = ()) -> list[str]:
        """The topic terms of ``query`` no document uses (call after a search)."""
        return uncovered(query, self._index.knows, also=also)

    def invalidate(self) -> None:
        """Check the store again on the next search (this process just changed it)."""
        self._checked_at = float("-inf")

    async def _fresh(self) -> None:
        if time.monotonic() - self._checked_at < self.refresh_s:
            return
        async with self._lock:
            if time.monotonic() - self._checked_at < self.refresh_s:
                return  # another search reloaded while this one waited
            version = await self.store.version()
            if version != self._version:
                chunks = await self.store.chunks()
                # The heading and title count as words of the chunk: "Policies" helps
                # "what is your policy on ...", and "Pricing" helps "how much ...". A
                # rule's own label ("Deposit: $200 to reserve a date") counts once more:
                # the rule named "deposit" answers "do you need a deposit?" better than
                # the cancellation rule that says "deposit" twice.
                self._index = BM25Index(
                    [terms(f"{c.title} {c.heading} {_label(c.text)} {c.text}") for c in chunks]
                )
                self._chunks = chunks
                self._vectors = None  # embedded again on the next search (cached on disk)
                self._version = version
            self._checked_at = time.monotonic()


def _label(text: str) -> str:
    """The label a rule starts with ("Deposit" of "Deposit: $200 ..."), or ""."""
    head, colon, _ = text.partition(":")
    return head if colon and len(head.split()) <= 4 else ""
