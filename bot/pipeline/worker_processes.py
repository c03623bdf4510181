"""`WorkerProcesses`: the ``bot worker`` processes ``bot serve`` runs beside its web
processes on PostgreSQL, so that one command still serves a small business.

Why processes and not a worker on the web's event loop: answering a message
costs ten times the CPU of acknowledging one, and on one event loop every
webhook waited behind that work (acknowledgement p99 over 200 ms at 100
messages/s with a 1 s model; Slack retries after 3 s). In a process of its own
the worker uses the other core and the web answers vendors at once.

The workers are ordinary ``bot worker`` processes: the same job engine, order
and recovery as workers on other machines. They stay in serve's process group,
so Ctrl-C in a terminal (and a supervisor's kill of the group) reaches them
too; on Linux they also get SIGTERM if serve itself dies. One that crashes is
started again; one that exits cleanly (it was told to stop) is not.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from types import TracebackType

log = logging.getLogger(__name__)

#: A worker that lived shorter than this before crashing is restarted more slowly.
QUICK_CRASH_S = 10.0
MAX_RESTART_DELAY_S = 30.0


class WorkerProcesses:
    """Runs ``count`` ``bot worker`` processes until `stop` (or the ``with`` block ends)."""

    def __init__(self, count: int = 1, *, stop_timeout_s: float = 30.0) -> None:
        self.count = count
        self.stop_timeout_s = stop_timeout_s
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._processes: list[subprocess.Popen[bytes]] = []
        # Spawned and reaped by this one thread: Linux's parent-death signal follows
        # the thread that started a child, so it must outlive the children.
        self._thread = threading.Thread(target=self._supervise, name="bot-workers", daemon=True)

    def __enter__(self) -> WorkerProcesses:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the workers; return once they are spawned."""
        self._thread.start()
        self._started.wait()

    def stop(self) -> None:
        """SIGTERM the workers (they finish or hand back their jobs) and wait for them."""
        self._stopping.set()
        self._thread.join()

    def _supervise(self) -> None:
        self._processes = [_spawn() for _ in range(self.count)]
        started_at = [time.monotonic()] * self.count
        delays = [1.0] * self.count
        self._started.set()
        while not self._stopping.wait(0.5):
            for slot, process in enumerate(self._processes):
                code = process.poll()
                if code is None or code == 0:
                    continue  # running, or stopped on purpose (a signal to the group)
                lived = time.monotonic() - started_at[slot]
                delays[slot] = (
                    min(delays[slot] * 2, MAX_RESTART_DELAY_S) if lived < QUICK_CRASH_S else 1.0
                )
                log.warning(
                    "bot worker %d exited with %s after %.0f s; starting another in %.0f s",
                    process.pid,
                    code,
                    lived,
                    delays[slot],
                )
                if self._stopping.wait(delays[slot]):
                    break
                self._processes[slot] = _spawn()
                started_at[slot] = time.monotonic()
        self._terminate()

    def _terminate(self) -> None:
        for process in self._processes:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout_s
        for process in self._processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("bot worker %d did not stop in time: killed", process.pid)
                process.kill()
                process.wait()


def _spawn() -> subprocess.Popen[bytes]:
    # Its /metrics are served by bot serve (they meet in PROMETHEUS_MULTIPROC_DIR),
    # not on a port of its own.
    env = {**os.environ, "WORKER_METRICS_PORT": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        env=env,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    log.info("bot worker %d started", process.pid)
    return process


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the thread that started it ends
    (serve killed with SIGKILL), so no worker outlives its serve."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
