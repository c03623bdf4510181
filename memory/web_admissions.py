"""`AdmissionStore`: requests counted per key in a sliding window, across processes.

The web chat's rate limits (per visitor token, per client address, per phone
number codes are sent to) are counted as the inbound limits count messages:
rows in the database, so every process sees the same counts, and each
request is counted up to itself (its own row id), so its verdict does not
depend on when, or where, it is checked. A refused request's rows are kept
but marked, so they do not count against later ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from memory.db import Database
from memory.models import WebAdmission, utcnow

ROWS = WebAdmission.__table__
#: Rows are pruned this long after they were written (longer than any window).
KEEP = timedelta(days=1)


class AdmissionStore:
    """Admits or refuses one request against several ``(key, limit)`` pairs at once."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def admit(self, limits: Sequence[tuple[str, int]], window_s: float) -> float | None:
        """Count a request against every key; None when each is within its limit,
        else the seconds until the oldest counted request of a full key leaves the window."""
        now = utcnow()
        since = now - timedelta(seconds=window_s)
        async with self.db.transaction() as session:
            mine: dict[str, int] = {}
            for key, _limit in limits:
                mine[key] = await session.scalar(
                    ROWS.insert().values(key=key, at=now, admitted=True).returning(ROWS.c.id)
                )
        wait: float | None = None
        async with self.db.sessions() as session:
            for key, limit in limits:
                counted = await session.execute(
                    select(ROWS.c.at)
                    .where(
                        ROWS.c.key == key,
                        ROWS.c.at > since,
                        ROWS.c.admitted.is_(True),
                        ROWS.c.id <= mine[key],
                    )
                    .order_by(ROWS.c.id.desc())
                    .limit(limit + 1)
                )
                moments = [row.at for row in counted]
                if len(moments) > limit:
                    # The limit-th newest before this one leaves the window first.
                    oldest = _aware(moments[-1])
                    left = (oldest - since).total_seconds()
                    wait = max(wait or 0.0, left, 1.0)
        async with self.db.transaction() as session:
            if wait is not None:
                await session.execute(
                    update(ROWS).where(ROWS.c.id.in_(list(mine.values()))).values(admitted=False)
                )
            if min(mine.values()) % 100 == 0:  # now and then, drop what no window reaches
                await session.execute(delete(ROWS).where(ROWS.c.at < now - KEEP))
        return wait

    async def count(self, key: str, window_s: float) -> int:
        """Admitted requests of ``key`` within the last ``window_s`` seconds."""
        since = utcnow() - timedelta(seconds=window_s)
        async with self.db.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(ROWS)
                    .where(ROWS.c.key == key, ROWS.c.at > since, ROWS.c.admitted.is_(True))
                )
                or 0
            )


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; the store writes UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
