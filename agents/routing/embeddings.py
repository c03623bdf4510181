"""Sentence vectors from the embedded model (SmolLM2 through llama.cpp), for routing.

A second `llama_cpp.Llama` is loaded from the bundled GGUF with ``embedding=True``
(the chat one cannot embed): token vectors, mean-pooled here and normalised. One
instance per process, its use serialised by a lock (llama.cpp is not thread-safe),
called off the event loop. The examples' vectors are cached on disk, keyed by the
model file and the examples' hash, so a start-up reads them instead of re-embedding;
a business folder may ship them too (``bot route --save-vectors``), so that a fresh
install or a new container does not spend its first minute embedding.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from agents.providers.local_model import _without_extra_buffer_types, bundled_model_path
from agents.vector_cache import cache_dir, load_vectors, save_vectors

if TYPE_CHECKING:
    from agents.routing.examples import RoutingExamples

log = logging.getLogger(__name__)

#: Enough for any message worth routing; longer ones are cut (the start carries the topic).
CONTEXT_TOKENS = 512
MAX_MESSAGE_CHARS = 1000


class SentenceEncoder:
    """Mean-pooled, normalised sentence vectors from one GGUF model."""

    def __init__(self, path: Path, *, threads: int = 2) -> None:
        # libgomp reads this when llama.cpp's library loads. Its default (spinning
        # while waiting for work) made each vector cost 4 to 7 times the CPU on a
        # busy 2-core machine (0.65 to 1.0 s instead of 0.14 s); passive waiting
        # costs next to nothing when the machine is idle. No effect if the chat
        # model loaded llama.cpp first in this process.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import llama_cpp

        with _without_extra_buffer_types(llama_cpp):
            # No pooling type: SmolLM2's file names none and llama.cpp complains on
            # stderr when one is forced; the token vectors are averaged in `encode`.
            self._llama = llama_cpp.Llama(
                model_path=str(path),
                embedding=True,
                n_ctx=CONTEXT_TOKENS,
                n_batch=CONTEXT_TOKENS,
                n_threads=threads,
                verbose=False,
            )
        #: Length of a vector.
        self.size = self._llama.n_embd()
        stat = path.stat()
        #: Names the model in cache keys: another file or build means other vectors.
        self.model_key = f"{path.stem}-{stat.st_size}-mean"
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text (blocking: call it off the event loop)."""
        rows = []
        with self._lock:
            for text in texts:
                # One text per call: without pooling, llama.cpp returns one text's tokens.
                tokens = self._llama.embed(text[:MAX_MESSAGE_CHARS] or " ", normalize=False)
                rows.append(np.asarray(tokens, dtype=np.float32).reshape(-1, self.size).mean(0))
        matrix = np.vstack(rows)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    def close(self) -> None:
        """Free the model now, unless a thread is using it (a process ending mid-way)."""
        if self._lock.acquire(blocking=False):
            try:
                self._llama.close()
            finally:
                self._lock.release()

    async def aencode(self, texts: Sequence[str]) -> np.ndarray:
        """`encode` in a worker thread, so the event loop keeps serving."""
        return await asyncio.to_thread(self.encode, texts)

    def _cache_path(self, key: str) -> Path:
        return cache_dir("routing") / f"{self.model_key}-{key}.npy"

    def cached(self, count: int, key: str, shipped: Path | None = None) -> np.ndarray | None:
        """The ``count`` vectors cached under ``key`` (or shipped at ``shipped``), or None."""
        for path in (self._cache_path(key), shipped):
            vectors = load_vectors(path, count) if path is not None else None
            if vectors is not None and vectors.shape[1] == self.size:
                return vectors
        return None

    def encode_cached(self, texts: Sequence[str], key: str) -> np.ndarray:
        """`encode` for the examples, read from (or written to) the disk cache."""
        cached = self.cached(len(texts), key)
        if cached is not None:
            return cached
        matrix = self.encode(texts)
        path = self._cache_path(key)
        try:
            save_vectors(path, matrix)
        except OSError as exc:
            log.warning("routing: cannot cache example vectors in %s: %s", path.parent, exc)
        return matrix


def ship_vectors(encoder: SentenceEncoder, examples: RoutingExamples) -> Path:
    """Keep the examples' vectors in their business folder, as float16; return the file.

    Half precision halves the file (about 1 KB an example) and changed no route in
    measurement: the classifier is trained on them in float32. Other vector files
    there are removed: they belong to examples that no longer exist.
    """
    path = examples.shipped_vectors(encoder.model_key)
    if path is None:
        raise ValueError("these examples were not read from a business folder")
    texts = [text for _, text in examples.pairs()]
    matrix = encoder.encode_cached(texts, examples.fingerprint())
    save_vectors(path, matrix.astype(np.float16))
    for old in path.parent.glob("*.npy"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


_encoder: SentenceEncoder | None = None
_failed = False
_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder | None:
    """The process's encoder on the bundled model; None (logged once) if it cannot load."""
    global _encoder, _failed
    with _lock:
        if _encoder is None and not _failed:
            try:
                _encoder = SentenceEncoder(bundled_model_path())
                # Freed before the interpreter tears down the modules its destructor
                # needs (otherwise llama-cpp-python prints a TypeError at exit).
                atexit.register(_encoder.close)
            except Exception as exc:  # any failure leaves routing lexical, never down
                _failed = True
                log.warning("routing without sentence vectors: the embedded model: %s", exc)
        return _encoder
