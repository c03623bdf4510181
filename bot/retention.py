"""The retention round: RETENTION_DAYS turned into a periodic purge.

On PostgreSQL the round is a periodic job of the job engine (one per tick
across all workers); on the embedded SQLite it is a loop in ``bot serve``.
`bot db purge` runs one round by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from memory.db import Database
from memory.retention import PurgeReport, purge_old_text

log = logging.getLogger(__name__)

#: How often the round runs. Hourly: a day-granular period needs no finer tick,
#: and a round with nothing old to do is four cheap counts-by-index.
RETENTION_INTERVAL_S = 3600.0


async def retention_round(*, db: Database, days: int) -> PurgeReport:
    """One purge of what is older than ``days``, logged."""
    report = await purge_old_text(db, days=days)
    if report.messages or report.tutor_pairs or report.compare_queries:
        log.info(
            "retention (%d days): %d messages, %d tutor pairs, %d compares anonymised",
            days,
            report.messages,
            report.tutor_pairs,
            report.compare_queries,
        )
    return report


class RetentionLoop:
    """The in-process round of the embedded default (SQLite): every interval until stopped."""

    def __init__(self, *, db: Database, days: int, interval_s: float = RETENTION_INTERVAL_S):
        self.db = db
        self.days = days
        self.interval_s = interval_s
        self._task = asyncio.create_task(self._loop(), name="retention")

    async def _loop(self) -> None:
        while True:
            try:
                await retention_round(db=self.db, days=self.days)
            except Exception:  # the next round may succeed (a locked or moved file)
                log.exception("the retention round failed")
            await asyncio.sleep(self.interval_s)

    async def stop(self) -> None:
        """Cancel the loop and wait for it."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
