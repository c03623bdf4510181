"""`SendCostStore`: what the messages we sent through paid channels (SMS) cost.

One row per sent message, keyed by channel and the channel's id for it (a
Twilio SID), so a retried record is a no-op. The cost starts as an estimate
(the channel's segments times a price per segment) and is replaced by the
vendor's own price when a delivery report brings one. `SpendLedger` adds
these rows to the model calls: the monthly budget and `bot costs` see both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select, update

from memory.db import Database
from memory.models import SendCost, utcnow

SEND_COSTS = SendCost.__table__


@dataclass(frozen=True, slots=True)
class SendSpend:
    """Messages sent on one channel (``name``) in a period, and what they cost."""

    name: str
    messages: int = 0
    segments: int = 0
    cost_usd: float = 0.0
    #: Messages whose cost is still our estimate (no vendor price yet).
    estimated_messages: int = 0

    def as_dict(self) -> dict[str, object]:
        """A plain dict, for JSON."""
        return {
            "name": self.name,
            "messages": self.messages,
            "segments": self.segments,
            "cost_usd": round(self.cost_usd, 9),
            "estimated_messages": self.estimated_messages,
        }


class SendCostStore:
    """Writes and reads the ``send_costs`` rows."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._insert: Any = None

    async def record(
        self, *, channel: str, sent_id: str, segments: int, cost_usd: float, estimated: bool
    ) -> bool:
        """Store one sent message's cost; False when ``sent_id`` was recorded before."""
        if self._insert is None:  # built once (per dialect), run with parameters
            self._insert = self.db.insert_ignoring_conflicts(SEND_COSTS).returning(SEND_COSTS.c.id)
        row = {
            "created_at": utcnow(),
            "channel": channel,
            "sent_id": sent_id,
            "segments": segments,
            "cost_usd": cost_usd,
            "estimated": estimated,
        }
        # One statement, atomic by itself: no BEGIN and COMMIT around it on PostgreSQL.
        async with self.db.one_write() as session:
            return await session.scalar(self._insert, row) is not None

    async def set_price(self, *, channel: str, sent_id: str, cost_usd: float) -> float | None:
        """Replace the cost of a sent message with the vendor's price.

        Returns the change in cost (new minus old), or None when no message
        has that id (sent before costs were recorded, or by another bot).
        """
        c = SEND_COSTS.c
        async with self.db.transaction() as session:
            old = await session.scalar(
                select(c.cost_usd).where(c.channel == channel, c.sent_id == sent_id)
            )
            if old is None:
                return None
            await session.execute(
                update(SEND_COSTS)
                .where(c.channel == channel, c.sent_id == sent_id)
                .values(cost_usd=cost_usd, estimated=False)
            )
        return cost_usd - old

    async def by_channel(self, start: datetime, end: datetime) -> list[SendSpend]:
        """Messages, segments and cost per channel in ``[start, end)``, dearest first."""
        c = SEND_COSTS.c
        query = (
            select(
                c.channel,
                func.count(),
                func.sum(c.segments),
                func.sum(c.cost_usd),
                func.count().filter(c.estimated.is_(True)),
            )
            .where(*_period(start, end))
            .group_by(c.channel)
        )
        async with self.db.sessions() as session:
            rows = (await session.execute(query)).all()
        spends = [
            SendSpend(
                name=channel,
                messages=int(count),
                segments=int(segments or 0),
                cost_usd=float(cost or 0.0),
                estimated_messages=int(estimated),
            )
            for channel, count, segments, cost, estimated in rows
        ]
        return sorted(spends, key=lambda s: (-s.cost_usd, s.name))


def send_cost_statement(start: datetime, end: datetime) -> Select[Any]:
    """The sum of sends' costs in ``[start, end)``: an index-only scan, as for model calls."""
    return select(func.sum(SEND_COSTS.c.cost_usd)).where(*_period(start, end))


def _period(start: datetime, end: datetime) -> tuple[Any, Any]:
    # UTC, as the store keeps it: on SQLite timestamps compare as text.
    created_at = SEND_COSTS.c.created_at
    return created_at >= start.astimezone(UTC), created_at < end.astimezone(UTC)
