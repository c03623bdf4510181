"""Sentence vectors kept on disk between starts (routing's examples, knowledge chunks).

Under ``$XDG_CACHE_HOME/frontdesk-bot/<kind>``; callers key the file names by
model and by the texts embedded, so a stale file is never read.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def cache_dir(kind: str) -> Path:
    """``$XDG_CACHE_HOME/frontdesk-bot/<kind>`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "frontdesk-bot" / kind


def load_vectors(path: Path, rows: int) -> np.ndarray | None:
    """The float32 matrix at ``path`` if it has ``rows`` rows, else None (also if unreadable)."""
    try:
        matrix = np.load(path)
    except (OSError, ValueError):
        return None
    return matrix.astype(np.float32, copy=False) if matrix.shape[0] == rows else None


def save_vectors(path: Path, matrix: np.ndarray) -> None:
    """Write ``matrix`` to ``path`` atomically: a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(partial, matrix)
    partial.replace(path)
