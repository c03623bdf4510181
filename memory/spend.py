"""`SpendLedger`: what the model calls and paid sends cost, read back from the store.

Model calls are in `model_calls`; messages sent through paid channels (SMS
segments) in `send_costs` (`memory.send_costs`). The budget's figure, `cost`,
is the sum of both; a report shows them apart.

Periods are half-open ``[start, end)`` and days and months are UTC: every
timestamp in the store is UTC, a UTC month is the same for every process
whatever its machine's time zone, and vendors bill by UTC day too. An
operator far from UTC sees "today" start at 00:00 UTC, not at their midnight.

Calls whose price was unknown have a null cost. They are counted apart
(``unknown_cost_calls``) rather than summed as $0, so a report never claims
to be complete when it is not.

The queries are built for millions of rows. The month's total, which the
budget monitor re-reads every minute or so, is served by the covering index
``ix_model_calls_created_at_cost_usd`` alone. A report reads its period's rows
once, grouped by (provider, model, agent, role), and folds the few resulting
groups into each breakdown here, instead of scanning once per breakdown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from memory.db import Database
from memory.models import Contact, ModelCall
from memory.send_costs import SendCostStore, SendSpend, send_cost_statement

MODEL_CALLS = ModelCall.__table__
CONTACTS = Contact.__table__

#: The name a breakdown gives calls made without an agent or role (e.g. /compare).
NONE = "(none)"


@dataclass(frozen=True, slots=True)
class Spend:
    """Calls, tokens and cost of a set of model calls (``name``: what they share)."""

    name: str = ""
    calls: int = 0
    #: The sum of the known costs; calls of unknown cost add nothing here.
    cost_usd: float = 0.0
    #: Calls whose price was unknown (null cost): their spend is not in ``cost_usd``.
    unknown_cost_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    #: Of ``output_tokens``, those spent reasoning (calls logged before 0009 count none).
    reasoning_tokens: int = 0

    def __add__(self, other: Spend) -> Spend:
        return Spend(
            name=self.name,
            calls=self.calls + other.calls,
            cost_usd=self.cost_usd + other.cost_usd,
            unknown_cost_calls=self.unknown_cost_calls + other.unknown_cost_calls,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )

    def as_dict(self) -> dict[str, object]:
        """A plain dict, for JSON."""
        return {
            "name": self.name,
            "calls": self.calls,
            # To the nano-dollar: sums of floats otherwise print as 0.00034999999999999994.
            "cost_usd": round(self.cost_usd, 9),
            "unknown_cost_calls": self.unknown_cost_calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }


@dataclass(frozen=True, slots=True)
class SpendReport:
    """One period's spend in total and broken down four ways (each sorted by cost)."""

    start: datetime
    end: datetime
    total: Spend
    by_provider: list[Spend] = field(default_factory=list)
    #: Named ``provider:model``.
    by_model: list[Spend] = field(default_factory=list)
    by_agent: list[Spend] = field(default_factory=list)
    by_role: list[Spend] = field(default_factory=list)
    #: What sending cost, per paid channel (SMS), beside the models.
    sends: list[SendSpend] = field(default_factory=list)

    @property
    def cost_usd(self) -> float:
        """Models and sends together: what the budget counts."""
        return self.total.cost_usd + sum(s.cost_usd for s in self.sends)


def day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC day holding ``moment``, as ``[start, end)``."""
    start = _utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC month holding ``moment``, as ``[start, end)``."""
    start = _utc(moment).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start.month == 12:
        return start, start.replace(year=start.year + 1, month=1)
    return start, start.replace(month=start.month + 1)


def month_key(moment: datetime) -> str:
    """``YYYY-MM`` of the UTC month holding ``moment``."""
    return f"{_utc(moment):%Y-%m}"


def parse_month(text: str) -> datetime:
    """The first instant (UTC) of the month ``YYYY-MM``; ValueError if it is not one."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}") from None


class SpendLedger:
    """Read-only queries over the `model_calls` log (and the count of contacts)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def cost(self, start: datetime, end: datetime) -> float:
        """The known cost of the calls and the paid sends in ``[start, end)``: the budget's figure.

        Index-only scans of ``ix_model_calls_created_at_cost_usd`` and
        ``ix_send_costs_created_at_cost_usd``.
        """
        async with self.db.sessions() as session:
            models = await session.scalar(self.cost_statement(start, end))
            sends = await session.scalar(send_cost_statement(_utc(start), _utc(end)))
        return float(models or 0.0) + float(sends or 0.0)

    async def sends(self, start: datetime, end: datetime) -> list[SendSpend]:
        """What the paid sends in ``[start, end)`` cost, per channel."""
        return await SendCostStore(self.db).by_channel(_utc(start), _utc(end))

    @staticmethod
    def cost_statement(start: datetime, end: datetime) -> Select[Any]:
        """The query behind `cost` (exposed so a test can check its plan)."""
        return select(func.sum(MODEL_CALLS.c.cost_usd)).where(*_period(start, end))

    async def total(self, start: datetime, end: datetime) -> Spend:
        """Calls, tokens and cost in ``[start, end)``."""
        query = select(*_AGGREGATES).where(*_period(start, end))
        async with self.db.sessions() as session:
            row = (await session.execute(query)).one()
        return _spend("all", *row)

    async def report(self, start: datetime, end: datetime) -> SpendReport:
        """Everything `bot costs` shows for ``[start, end)``, from one grouped scan."""
        c = MODEL_CALLS.c
        query = (
            select(c.provider, c.model, c.agent, c.role, *_AGGREGATES)
            .where(*_period(start, end))
            .group_by(c.provider, c.model, c.agent, c.role)
        )
        async with self.db.sessions() as session:
            rows = (await session.execute(query)).all()
        groups = [((p, m, a, r), _spend("", *aggregates)) for p, m, a, r, *aggregates in rows]
        sends = await self.sends(start, end)
        return SpendReport(
            start=_utc(start),
            end=_utc(end),
            total=sum((spend for _, spend in groups), Spend("all")),
            by_provider=_fold((p, spend) for (p, _m, _a, _r), spend in groups),
            by_model=_fold((f"{p}:{m}", spend) for (p, m, _a, _r), spend in groups),
            by_agent=_fold((a or NONE, spend) for (_p, _m, a, _r), spend in groups),
            by_role=_fold((r or NONE, spend) for (_p, _m, _a, r), spend in groups),
            sends=sends,
        )

    async def live_contacts(self, *, at_most: int | None = None) -> int:
        """Contacts not merged into another; counting stops at ``at_most``.

        The cap keeps the count cheap however many contacts there are: the
        customer alert only needs to know whether its threshold is reached.
        """
        live = select(CONTACTS.c.id).where(CONTACTS.c.merged_into_id.is_(None))
        if at_most is not None:
            live = live.limit(at_most)
        async with self.db.sessions() as session:
            return await session.scalar(select(func.count()).select_from(live.subquery())) or 0

    async def newest_contact_id(self) -> int:
        """The highest contact id so far (0 for none): a primary-key lookup."""
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.max(CONTACTS.c.id))) or 0)


_c = MODEL_CALLS.c
#: count, known cost, priced calls, tokens in, out, cached and reasoning: what `_spend` takes.
_AGGREGATES = (
    func.count(),
    func.sum(_c.cost_usd),  # SUM skips nulls: the known cost
    func.count(_c.cost_usd),  # COUNT(column) skips nulls: the calls with a price
    func.sum(_c.input_tokens),
    func.sum(_c.output_tokens),
    func.sum(_c.cached_input_tokens),
    func.sum(_c.reasoning_tokens),  # SUM skips the nulls of calls logged before it was counted
)


def _period(start: datetime, end: datetime) -> tuple[Any, Any]:
    """``created_at`` in ``[start, end)``: a range on the index."""
    return _c.created_at >= _utc(start), _c.created_at < _utc(end)


def _spend(
    name: str,
    calls: int,
    cost: float | None,
    priced: int,
    tokens_in: int | None,
    tokens_out: int | None,
    tokens_cached: int | None,
    tokens_reasoning: int | None,
) -> Spend:
    """One row of `_AGGREGATES` (SUM over no rows is NULL) as a `Spend`."""
    return Spend(
        name=name,
        calls=int(calls),
        cost_usd=float(cost or 0.0),
        unknown_cost_calls=int(calls) - int(priced),
        input_tokens=int(tokens_in or 0),
        output_tokens=int(tokens_out or 0),
        cached_input_tokens=int(tokens_cached or 0),
        reasoning_tokens=int(tokens_reasoning or 0),
    )


def _fold(pairs: Iterable[tuple[str, Spend]]) -> list[Spend]:
    """Sum the spends sharing a name; most expensive first, then most calls, then name."""
    sums: dict[str, Spend] = {}
    for name, spend in pairs:
        sums[name] = sums.get(name, Spend(name)) + spend
    return sorted(sums.values(), key=lambda s: (-s.cost_usd, -s.calls, s.name))


def _utc(moment: datetime) -> datetime:
    # The store keeps UTC; on SQLite a timestamp is compared as text, so an
    # offset other than UTC would compare wrongly rather than fail.
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; pass an aware datetime")
    return moment.astimezone(UTC)
