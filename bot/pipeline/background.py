"""`BackgroundWork`: the slow part of answering, off the webhook's request path.

A webhook stores the message, hands the rest here and answers its vendor at
once. Jobs for one conversation run one after another, in the order they were
submitted, so replies keep the order of the messages they answer; different
conversations run side by side. A job that fails is logged with its
traceback (it never disappears into an unobserved task), and `drain` lets
shutdown finish what was started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class BackgroundWork:
    """Per-conversation ordered jobs on the running event loop."""

    def __init__(self) -> None:
        # The newest job of each conversation: the next one waits for it.
        self._tails: dict[str, asyncio.Task[None]] = {}
        # Strong references: the event loop keeps only weak ones to tasks.
        self._running: set[asyncio.Task[None]] = set()

    def submit(self, key: str, job: Job, *, name: str = "job") -> asyncio.Task[None]:
        """Run ``job`` after every earlier job of conversation ``key``."""
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run(previous, job, name), name=f"{name} [{key}]")
        self._tails[key] = task
        self._running.add(task)
        task.add_done_callback(lambda done: self._forget(key, done))
        return task

    @property
    def pending(self) -> int:
        """Jobs submitted and not finished."""
        return len(self._running)

    async def drain(self, seconds: float = 30.0) -> bool:
        """Wait up to ``seconds`` for every job; cancel what is left. True if none was left."""
        if not self._running:
            return True
        _done, pending = await asyncio.wait(set(self._running), timeout=seconds)
        for task in pending:
            task.cancel()
        if pending:
            log.error("shutdown cancelled %d unfinished background job(s)", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)
        return not pending

    async def _run(self, previous: asyncio.Task[None] | None, job: Job, name: str) -> None:
        if previous is not None:
            # Wait for the turn without taking on the earlier job's failure (that job
            # logged it); our own cancellation still propagates.
            await asyncio.wait([previous])
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background %s failed", name)

    def _forget(self, key: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]
