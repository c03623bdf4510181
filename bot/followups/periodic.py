"""`PeriodicFollowUps`: the background job of ``bot serve`` that sends due follow-ups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)


class PeriodicFollowUps:
    """Calls ``run`` (`FollowUpRunner.run`) every interval until stopped."""

    def __init__(self, run: Callable[[], Awaitable[Sequence[Any]]], interval_s: float) -> None:
        self.run = run
        self.interval_s = interval_s
        self._task = asyncio.create_task(self._loop(), name="followups")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                outcomes = await self.run()
            except Exception:  # the next round may succeed (a database restart)
                log.exception("the follow-up round failed")
                continue
            for outcome in outcomes:
                log.info(
                    "follow-up %s: %s (%s)", outcome.followup_id, outcome.action, outcome.reason
                )

    async def stop(self) -> None:
        """Cancel the loop and wait for it."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
