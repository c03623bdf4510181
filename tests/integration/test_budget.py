"""`BudgetMonitor` and `AlertLog`: the budget's alerts and hard cap, and the customer alert,
on a real database, with a clock the tests move."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from agents.errors import ProviderError
from agents.providers.base import CallOptions, ChatMessage, Completion, StreamEvent
from agents.providers.fallback import FallbackProvider
from agents.providers.function import FunctionProvider
from agents.providers.remote import RemoteProvider
from bot.costs.alerts import Alert, AlertLog, LogAlertSink
from bot.costs.budget import BudgetMonitor
from memory.db import Database
from memory.model_calls import ModelUsage
from memory.models import Alert as AlertRow
from memory.models import Contact, ModelCall

MODEL_CALLS = ModelCall.__table__
CONTACTS = Contact.__table__
ALERTS = AlertRow.__table__


class Clock:
    """A UTC clock that moves only when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingSink:
    """An alert sink that keeps what it was sent."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    async def send(self, alert: Alert) -> None:
        self.alerts.append(alert)

    @property
    def keys(self) -> list[str]:
        return [alert.key for alert in self.alerts]


class BrokenSink:
    async def send(self, alert: Alert) -> None:
        raise ConnectionError("the ops channel is down")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))


def monitor(db: Database, clock: Clock, **options) -> tuple[BudgetMonitor, RecordingSink]:
    sink = RecordingSink()
    options = {"monthly_budget_usd": 10.0, "customer_alert_threshold": 1000, **options}
    return BudgetMonitor(db, sinks=[sink], clock=clock, **options), sink


async def spend(db: Database, budget: BudgetMonitor, clock: Clock, *costs: float | None) -> None:
    """Log calls of these costs, as a reply does, then tell the monitor."""
    calls = [ModelUsage("openai", "gpt-4o-mini", 100, 10, cost, 5.0) for cost in costs]
    async with db.transaction() as session:
        await session.execute(
            insert(MODEL_CALLS),
            [
                {
                    "created_at": clock.now,
                    "provider": c.provider,
                    "model": c.model,
                    "input_tokens": c.input_tokens,
                    "output_tokens": c.output_tokens,
                    "cost_usd": c.cost_usd,
                    "latency_ms": c.latency_ms,
                    "outcome": c.outcome,
                }
                for c in calls
            ],
        )
    await budget.after_calls(calls)


async def new_contact(db: Database, *, merged_into: int | None = None) -> int:
    async with db.transaction() as session:
        return await session.scalar(
            insert(CONTACTS)
            .values(facts={}, created_at=datetime.now(UTC), merged_into_id=merged_into)
            .returning(CONTACTS.c.id)
        )


async def alert_rows(db: Database) -> list[str]:
    async with db.sessions() as session:
        return list(await session.scalars(select(ALERTS.c.key).order_by(ALERTS.c.id)))


async def test_80_and_100_percent_alert_once_each(database: Database, clock: Clock):
    budget, sink = monitor(database, clock)
    await budget.refresh()
    await spend(database, budget, clock, 7.0)
    assert sink.alerts == []

    await spend(database, budget, clock, 1.0)
    await spend(database, budget, clock, 0.5)
    assert sink.keys == ["budget:2026-11:80"]
    assert "$8.00" in sink.alerts[0].message and "$10.00" in sink.alerts[0].message

    await spend(database, budget, clock, 1.5)
    await spend(database, budget, clock, 3.0)
    await budget.refresh()
    assert sink.keys == ["budget:2026-11:80", "budget:2026-11:100"]
    assert "BUDGET_HARD_CAP is off" in sink.alerts[1].message
    assert await alert_rows(database) == sink.keys
    assert budget.month_spend_usd == pytest.approx(13.0)


async def test_a_jump_past_both_thresholds_fires_both_in_order(database: Database, clock: Clock):
    budget, sink = monitor(database, clock)
    await budget.refresh()
    await spend(database, budget, clock, 25.0)

    assert sink.keys == ["budget:2026-11:80", "budget:2026-11:100"]


async def test_unknown_costs_add_nothing_to_the_budget(database: Database, clock: Clock):
    budget, sink = monitor(database, clock)
    await budget.refresh()
    await spend(database, budget, clock, None, None, 1.0)
    await budget.refresh()

    assert budget.month_spend_usd == pytest.approx(1.0)
    assert sink.alerts == []


async def test_two_processes_alert_once_between_them(database: Database, clock: Clock):
    first, first_sink = monitor(database, clock)
    second, second_sink = monitor(database, clock)
    await first.refresh()
    await second.refresh()

    await spend(database, first, clock, 4.0)
    await spend(database, second, clock, 4.5)  # second's own view: $4.50, no alert yet
    assert first_sink.alerts == second_sink.alerts == []

    await first.refresh()  # sees both: $8.50
    await second.refresh()
    await spend(database, second, clock, 2.0)
    await first.refresh()

    assert first_sink.keys == ["budget:2026-11:80"]
    assert second_sink.keys == ["budget:2026-11:100"]
    assert await alert_rows(database) == ["budget:2026-11:80", "budget:2026-11:100"]

    restarted, restarted_sink = monitor(database, clock)  # a restart alerts nothing again
    await restarted.refresh()
    assert restarted_sink.alerts == []


async def test_processes_racing_to_the_same_crossing_alert_once(database: Database, clock: Clock):
    monitors = [monitor(database, clock) for _ in range(4)]
    await spend(database, monitors[0][0], clock, 9.0)

    await asyncio.gather(*(budget.refresh() for budget, _ in monitors))
    await asyncio.gather(*(budget.after_calls([]) for budget, _ in monitors))

    assert sorted(key for _, sink in monitors for key in sink.keys) == ["budget:2026-11:80"]
    assert await alert_rows(database) == ["budget:2026-11:80"]


async def test_concurrent_replies_in_one_process_alert_once(database: Database, clock: Clock):
    budget, sink = monitor(database, clock)
    await budget.refresh()

    await asyncio.gather(*(spend(database, budget, clock, 1.0) for _ in range(12)))

    assert sink.keys == ["budget:2026-11:80", "budget:2026-11:100"]
    assert budget.month_spend_usd == pytest.approx(12.0)


async def test_other_processes_spend_is_seen_within_the_refresh_interval(
    database: Database, clock: Clock
):
    mine, _ = monitor(database, clock, refresh_seconds=60, hard_cap=True)
    other, _ = monitor(database, clock, refresh_seconds=60)
    await mine.refresh()
    await other.refresh()

    await spend(database, other, clock, 12.0)
    clock.advance(30)
    await mine.after_calls([])
    assert mine.paid_calls_allowed()  # its cached figure is 30 s old, within the interval

    clock.advance(31)
    await mine.after_calls([])
    assert mine.month_spend_usd == pytest.approx(12.0)
    assert not mine.paid_calls_allowed()


async def test_the_hard_cap_refuses_paid_calls_once_the_budget_is_spent(
    database: Database, clock: Clock
):
    capped, sink = monitor(database, clock, hard_cap=True)
    uncapped, _ = monitor(database, clock, hard_cap=False)
    await capped.refresh()
    await uncapped.refresh()
    await spend(database, capped, clock, 9.99)
    assert capped.paid_calls_allowed()

    await spend(database, capped, clock, 0.01)
    await uncapped.refresh()

    assert not capped.paid_calls_allowed()
    assert uncapped.paid_calls_allowed()
    assert "BUDGET_HARD_CAP is on" in sink.alerts[-1].message


async def test_a_new_month_starts_from_nothing(database: Database, clock: Clock):
    clock.now = datetime(2026, 11, 30, 23, 59, 30, tzinfo=UTC)
    budget, sink = monitor(database, clock, hard_cap=True)
    await budget.refresh()
    await spend(database, budget, clock, 11.0)
    assert not budget.paid_calls_allowed()

    clock.advance(60)  # 00:00:30 on 1 December, UTC
    # No refresh yet: the check before a paid call already knows November is over.
    assert budget.paid_calls_allowed()
    assert budget.month_spend_usd == 0.0

    await spend(database, budget, clock, 8.0)
    assert budget.month_spend_usd == pytest.approx(8.0)
    assert sink.keys == ["budget:2026-11:80", "budget:2026-11:100", "budget:2026-12:80"]


async def test_a_budget_of_zero_alerts_nothing_and_caps_every_paid_call(
    database: Database, clock: Clock
):
    capped, sink = monitor(database, clock, monthly_budget_usd=0.0, hard_cap=True)
    uncapped, _ = monitor(database, clock, monthly_budget_usd=0.0, hard_cap=False)
    await capped.refresh()
    await uncapped.refresh()
    assert not capped.paid_calls_allowed()
    assert uncapped.paid_calls_allowed()

    await spend(database, capped, clock, 5.0)
    assert sink.alerts == []


async def test_the_customer_threshold_alerts_once_counting_live_contacts(
    database: Database, clock: Clock
):
    budget, sink = monitor(database, clock, customer_alert_threshold=3)
    first = await new_contact(database)
    await new_contact(database, merged_into=first)  # merged: one person, not two
    await budget.refresh()
    assert budget.live_contacts == 1

    second = await new_contact(database)
    await budget.after_calls([], contact_id=second)
    await budget.after_calls([], contact_id=second)  # the same contact again is not new
    assert budget.live_contacts == 2
    assert sink.alerts == []

    third = await new_contact(database)
    await budget.after_calls([], contact_id=third)  # the third live contact trips it at once
    assert sink.keys == ["customers:3"]
    assert "3 contacts" in sink.alerts[0].message

    await budget.after_calls([], contact_id=await new_contact(database))
    await budget.refresh()
    other, other_sink = monitor(database, clock, customer_alert_threshold=3)
    await other.refresh()
    assert sink.keys == ["customers:3"]
    assert other_sink.alerts == []
    assert await alert_rows(database) == ["customers:3"]


async def test_alerts_reach_every_sink_even_past_a_broken_one(database: Database, caplog):
    recording = RecordingSink()
    alerts = AlertLog(database, [BrokenSink(), LogAlertSink(), recording])
    alert = Alert(key="budget:2026-11:80", kind="budget", message="80% of the budget is spent")

    with caplog.at_level(logging.WARNING):
        assert await alerts.fire(alert)
        assert not await alerts.fire(alert)

    assert recording.alerts == [alert]
    assert await alerts.fired("budget:2026-11:80")
    assert not await alerts.fired("budget:2026-11:100")
    assert "BrokenSink failed to send budget:2026-11:80" in caplog.text
    assert "alert budget:2026-11:80: 80% of the budget is spent" in caplog.text


async def test_after_calls_never_fails_a_reply(tmp_path: Path, clock: Clock, caplog):
    unreachable = Database(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'bot.db'}")
    budget, _ = monitor(unreachable, clock)
    try:
        with caplog.at_level(logging.ERROR):
            await budget.after_calls([ModelUsage("openai", "gpt-4o-mini", 1, 1, 0.1, 1.0)])
    finally:
        await unreachable.dispose()

    assert "could not update this month's spend" in caplog.text


# -- the gate, as a paid provider sees it ----------------------------------------------------


class PaidStandIn(RemoteProvider):
    """A vendor module without a vendor: `_call` answers at once, billed as gpt-4o-mini.

    It exercises `RemoteProvider`'s own budget check; no SDK is involved.
    """

    provider = "openai"

    async def _call(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        return Completion(
            text="paid answer",
            model=self.model,
            provider=self.provider,
            input_tokens=1_000_000,
            output_tokens=1_000_000,
        )

    def _open_stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError("these tests do not stream")

    def translate_error(self, exc: Exception) -> ProviderError:
        return ProviderError(str(exc), provider=self.provider)


async def test_a_spent_hard_cap_sends_the_chain_to_the_free_model(database: Database, clock: Clock):
    budget, _ = monitor(database, clock, monthly_budget_usd=1.0, hard_cap=True)
    await budget.refresh()
    paid = PaidStandIn("gpt-4o-mini", spend_gate=budget)
    chain = FallbackProvider([paid, FunctionProvider(lambda _m: "free answer", model="local")])
    question = [ChatMessage("user", "hello")]

    first = await chain.complete(question)
    assert (first.text, first.cost_usd) == ("paid answer", pytest.approx(0.75))
    await spend(database, budget, clock, first.cost_usd)
    assert budget.paid_calls_allowed()  # $0.75 of $1

    second = await chain.complete(question)
    await spend(database, budget, clock, second.cost_usd)
    third = await chain.complete(question)

    assert third.text == "free answer"
    [skipped] = third.extras["fallback"]["skipped"]
    assert (skipped["model"], skipped["reason"]) == ("openai:gpt-4o-mini", "budget_exceeded")
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ALERTS)) == 2
