"""Sentence vectors for retrieval from a vendor's embeddings API, cached on disk.

Any OpenAI-compatible ``/v1/embeddings`` endpoint, through OpenAI's SDK (the key and
base URL of the OpenAI settings; ``KB_EMBEDDINGS_MODEL`` names the model). The
chunks' vectors are kept under ``$XDG_CACHE_HOME/frontdesk-bot/knowledge``, keyed
by model and the chunks' texts, so only a start after the documents change sends
them again; a question costs one request. The embedded SmolLM2's vectors are not
offered: measured, they changed no answer at low weights and hurt at high ones
(docs/knowledge-base.md).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence

import numpy as np
from openai import AsyncOpenAI

from agents.vector_cache import cache_dir, load_vectors, save_vectors

log = logging.getLogger(__name__)

#: Inputs per request (OpenAI takes up to 2048).
BATCH = 256


class VendorEmbeddings:
    """Unit-length vectors of texts from one embeddings model."""

    def __init__(self, client: AsyncOpenAI, model: str) -> None:
        self.client = client
        self.model = model

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text (one request per `BATCH` texts)."""
        rows: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            batch = [text or " " for text in texts[start : start + BATCH]]
            answer = await self.client.embeddings.create(model=self.model, input=batch)
            rows.extend(item.embedding for item in sorted(answer.data, key=lambda d: d.index))
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    async def embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """`embed` for the chunks, read from (or written to) the disk cache."""
        digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
        name = f"{re.sub(r'[^A-Za-z0-9._-]', '_', self.model)}-{digest}.npy"
        path = cache_dir("knowledge") / name
        cached = load_vectors(path, len(texts))
        if cached is not None:
            return cached
        matrix = await self.embed(texts)
        try:
            save_vectors(path, matrix)
        except OSError as exc:
            log.warning("knowledge base: cannot cache chunk vectors in %s: %s", path.parent, exc)
        return matrix


def fused(lexical: np.ndarray, similarity: np.ndarray, weight: float) -> np.ndarray:
    """BM25 scores plus ``weight`` times the similarities' z-scores across the chunks.

    The z-score puts cosines (all close together for any sentence model) on a
    scale where one standard deviation above the mean is worth ``weight`` of BM25.
    """
    spread = float(similarity.std())
    if similarity.size < 2 or spread == 0:
        return lexical
    return lexical + weight * (similarity - float(similarity.mean())) / spread
