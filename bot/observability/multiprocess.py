"""prometheus-client's multiprocess mode for `bot serve --workers N`.

Each uvicorn worker writes its counters to files in ``PROMETHEUS_MULTIPROC_DIR``
and ``/metrics`` merges them. The folder must be set before a worker imports
prometheus-client and must start empty (files of an earlier run would be
counted again), so `bot serve` prepares it before uvicorn starts its workers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def shared_metrics_dir() -> Path:
    """``PROMETHEUS_MULTIPROC_DIR``, emptied; a new temporary folder when unset."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not configured:
        configured = tempfile.mkdtemp(prefix="bot-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = configured
    folder = Path(configured)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder
