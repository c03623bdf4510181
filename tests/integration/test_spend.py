"""`SpendLedger`: spend per period and per provider, model, agent and role, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, text

from memory.db import Database
from memory.models import Contact, ModelCall
from memory.spend import (
    NONE,
    Spend,
    SpendLedger,
    day_bounds,
    month_bounds,
    month_key,
    parse_month,
)

MODEL_CALLS = ModelCall.__table__
CONTACTS = Contact.__table__
NOVEMBER = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


async def add_calls(db: Database, *calls: dict) -> None:
    """Insert model calls as they were logged, each at its own ``created_at``."""
    defaults = {
        "provider": "openai",
        "model": "gpt-4o-mini",
        "agent": "lead_nurturing",
        "role": "answer",
        "input_tokens": 100,
        "output_tokens": 10,
        "cached_input_tokens": 0,
        "reasoning_tokens": None,  # as logged before migration 0009
        "cost_usd": 0.001,
        "latency_ms": 5.0,
        "outcome": "ok",
        "created_at": NOVEMBER,
    }
    async with db.transaction() as session:
        await session.execute(insert(MODEL_CALLS), [{**defaults, **call} for call in calls])


def test_days_and_months_are_utc_and_half_open():
    two_hours_east = timezone(timedelta(hours=2))
    # 01:00 on 1 December at UTC+2 is still November in UTC.
    local_december = datetime(2026, 12, 1, 1, 0, tzinfo=two_hours_east)

    assert month_bounds(local_december) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert month_key(local_december) == "2026-11"
    assert month_bounds(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert day_bounds(local_december) == (
        datetime(2026, 11, 30, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert parse_month("2026-02") == datetime(2026, 2, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month("2026-13")
    with pytest.raises(ValueError, match="time zone"):
        day_bounds(datetime(2026, 11, 1))


async def test_a_period_holds_its_start_and_not_its_end(database: Database):
    start, end = month_bounds(NOVEMBER)
    await add_calls(
        database,
        {"created_at": start - timedelta(microseconds=1), "cost_usd": 1.0},  # October
        {"created_at": start, "cost_usd": 0.25},
        {"created_at": NOVEMBER, "cost_usd": 0.5},
        {"created_at": end - timedelta(microseconds=1), "cost_usd": 0.125},
        {"created_at": end, "cost_usd": 2.0},  # December
    )
    ledger = SpendLedger(database)

    assert await ledger.cost(start, end) == pytest.approx(0.875)
    november = await ledger.total(start, end)
    assert (november.calls, november.cost_usd) == (3, pytest.approx(0.875))
    assert (november.input_tokens, november.output_tokens) == (300, 30)
    assert await ledger.cost(*day_bounds(start)) == pytest.approx(0.25)
    assert await ledger.cost(*month_bounds(end)) == pytest.approx(2.0)


async def test_breakdowns_by_provider_model_agent_and_role(database: Database):
    await add_calls(
        database,
        {"provider": "openai", "model": "gpt-4o-mini", "cost_usd": 0.002, "agent": "knowledge"},
        {"provider": "openai", "model": "gpt-4o", "cost_usd": 0.010, "agent": "knowledge"},
        {
            "provider": "anthropic",
            "model": "claude-sonnet-4-5",
            "cost_usd": 0.004,
            "agent": None,
            "role": "judge",
            "cached_input_tokens": 60,
            "reasoning_tokens": 25,
        },
        {"provider": "local", "model": "smollm2", "cost_usd": 0.0, "role": None},
    )
    report = await SpendLedger(database).report(*month_bounds(NOVEMBER))

    assert report.total == Spend(
        name="all",
        calls=4,
        cost_usd=pytest.approx(0.016),
        input_tokens=400,
        output_tokens=40,
        cached_input_tokens=60,
        reasoning_tokens=25,  # the calls logged before reasoning was counted (null) add none
    )
    assert [(s.name, s.calls, s.cost_usd) for s in report.by_provider] == [
        ("openai", 2, pytest.approx(0.012)),
        ("anthropic", 1, pytest.approx(0.004)),
        ("local", 1, 0.0),
    ]
    assert [s.name for s in report.by_model] == [
        "openai:gpt-4o",
        "anthropic:claude-sonnet-4-5",
        "openai:gpt-4o-mini",
        "local:smollm2",
    ]
    assert [(s.name, s.calls) for s in report.by_agent] == [
        ("knowledge", 2),
        (NONE, 1),  # a call made for no agent, e.g. the /compare judge
        ("lead_nurturing", 1),
    ]
    assert {s.name: s.calls for s in report.by_role} == {"answer": 2, "judge": 1, NONE: 1}


async def test_unknown_costs_are_counted_apart_not_summed_as_zero(database: Database):
    await add_calls(
        database,
        {"provider": "openai", "model": "gpt-5-preview", "cost_usd": None},
        {"provider": "openai", "model": "gpt-5-preview", "cost_usd": None},
        {"provider": "openai", "model": "gpt-4o-mini", "cost_usd": 0.003},
    )
    ledger = SpendLedger(database)
    report = await ledger.report(*month_bounds(NOVEMBER))

    assert (report.total.calls, report.total.unknown_cost_calls) == (3, 2)
    assert report.total.cost_usd == pytest.approx(0.003)
    unknown = next(s for s in report.by_model if s.name == "openai:gpt-5-preview")
    assert (unknown.calls, unknown.unknown_cost_calls, unknown.cost_usd) == (2, 2, 0.0)
    assert await ledger.cost(*month_bounds(NOVEMBER)) == pytest.approx(0.003)


async def test_an_empty_period_costs_nothing(database: Database):
    ledger = SpendLedger(database)
    report = await ledger.report(*month_bounds(NOVEMBER))

    assert report.total == Spend("all")
    assert report.by_provider == report.by_model == report.by_agent == report.by_role == []
    assert await ledger.cost(*month_bounds(NOVEMBER)) == 0.0
    assert await ledger.total(*day_bounds(NOVEMBER)) == Spend("all")


async def test_live_contacts_leave_out_merged_ones_and_stop_at_the_cap(database: Database):
    ledger = SpendLedger(database)
    assert (await ledger.live_contacts(), await ledger.newest_contact_id()) == (0, 0)
    async with database.transaction() as session:
        ids = [
            await session.scalar(
                insert(CONTACTS).values(facts={}, created_at=NOVEMBER).returning(CONTACTS.c.id)
            )
            for _ in range(4)
        ]
        await session.execute(
            CONTACTS.update().where(CONTACTS.c.id == ids[3]).values(merged_into_id=ids[0])
        )

    assert await ledger.live_contacts() == 3
    assert await ledger.live_contacts(at_most=2) == 2
    assert await ledger.newest_contact_id() == ids[3]


async def test_the_month_total_reads_the_covering_index_alone(database: Database):
    await add_calls(database, *({"cost_usd": 0.001 * i} for i in range(50)))
    statement = _month_cost_sql(database)
    async with database.transaction() as session:
        if database.dialect == "postgresql":
            # A 50-row table is cheaper to scan whole; ask what plan the index gives.
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in await session.execute(text(f"EXPLAIN {statement}")))
            assert "Index Only Scan using ix_model_calls_created_at_cost_usd" in plan
        else:
            rows = await session.execute(text(f"EXPLAIN QUERY PLAN {statement}"))
            plan = " ".join(str(row[-1]) for row in rows)
            assert "USING COVERING INDEX ix_model_calls_created_at_cost_usd" in plan


def _month_cost_sql(database: Database) -> str:
    """The SQL `SpendLedger.cost` runs, with its bounds inlined."""
    query = SpendLedger.cost_statement(*month_bounds(NOVEMBER))
    return str(
        query.compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True})
    )
