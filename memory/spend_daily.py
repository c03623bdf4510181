"""`DailySpend`: what each model (and each paid channel) cost per UTC day of a period.

The team console's cost chart. One grouped scan per table over the
``created_at`` range (the same indexes as `memory.spend`); days are UTC, as
everywhere in the spend (see `memory.spend`). Calls of unknown cost add
nothing to a day's figure but are counted, as ``bot costs`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from memory.db import Database
from memory.models import ModelCall, SendCost

MODEL_CALLS = ModelCall.__table__
SEND_COSTS = SendCost.__table__


@dataclass(frozen=True, slots=True)
class DaySpend:
    """One series' spend on one UTC day: a model (``provider:model``) or sends (``sms sends``)."""

    day: date
    series: str
    cost_usd: float
    calls: int
    unknown_cost_calls: int = 0


class DailySpend:
    """Spend per UTC day and series, read from `model_calls` and `send_costs`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_day(self, start: datetime, end: datetime) -> list[DaySpend]:
        """Every (day, series) with spend or calls in ``[start, end)``, by day then series."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        c, s = MODEL_CALLS.c, SEND_COSTS.c
        calls_day = self._day(c.created_at)
        sends_day = self._day(s.created_at)
        async with self.db.sessions() as session:
            calls = await session.execute(
                select(
                    calls_day,
                    c.provider,
                    c.model,
                    func.sum(c.cost_usd),
                    func.count(),
                    func.count(c.cost_usd),
                )
                .where(c.created_at >= start, c.created_at < end)
                .group_by(calls_day, c.provider, c.model)
            )
            sends = await session.execute(
                select(sends_day, s.channel, func.sum(s.cost_usd), func.count())
                .where(s.created_at >= start, s.created_at < end)
                .group_by(sends_day, s.channel)
            )
            rows = [
                DaySpend(_date(day), f"{provider}:{model}", float(cost or 0), int(n), n - priced)
                for day, provider, model, cost, n, priced in calls.all()
            ]
            rows += [
                DaySpend(_date(day), f"{channel} sends", float(cost or 0), int(n))
                for day, channel, cost, n in sends.all()
            ]
        return sorted(rows, key=lambda r: (r.day, r.series))

    def _day(self, column: Any) -> Any:
        """The UTC day of ``column`` as ``YYYY-MM-DD`` text, in the database's own dialect."""
        if self.db.dialect == "postgresql":
            return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
        # SQLite stores UTC timestamps as ISO text: the day is its first ten characters.
        return func.substr(column, 1, 10)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
