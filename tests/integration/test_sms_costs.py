"""SMS sends are spend: each reply's segments, priced, beside the models' costs.

The bot answers through the Twilio SDK against the fake Messages API, whose
``num_segments`` is computed apart from our segment code; Twilio's status
callbacks are posted signed, as Twilio posts them. `bot costs` runs as a
user runs it, a subprocess on the same database.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.testing.sms_bot import SmsBot, running_sms_bot
from memory.db import Database
from memory.models import Alert, SendCost
from memory.spend import SpendLedger, month_bounds
from tests.support.cli import bot_env, run_bot

#: The estimate per segment by default (SMS_PRICE_PER_SEGMENT_USD): Twilio's US rate.
US_RATE = 0.0083
EMOJI = "\U0001f642"


async def ask(bot: SmsBot, question: str, answer: str) -> dict:
    """Text ``question`` with the model set to say ``answer``; the message Twilio got."""
    bot.model.replies[question] = answer
    before = len(bot.fake.messages)
    await bot.text(question)
    sent = (await bot.fake.wait_for_messages(before + 1))[before]
    await bot.settle()
    return sent


async def costs(database: Database) -> dict[str, SendCost]:
    async with database.sessions() as session:
        rows = (await session.scalars(select(SendCost))).all()
    return {row.sent_id: row for row in rows}


async def test_each_sms_sent_is_counted_by_its_segments_at_the_estimated_rate(
    database: Database,
):
    async with running_sms_bot(database) as bot:
        short = await ask(bot, "Open today?", "Yes, 9 to 5.")
        # 101 characters with an emoji: UCS-2, 102 units, so two parts of 67.
        long = await ask(bot, "Is gratuity included?", f"Gratuity is included {EMOJI} " + "x" * 78)

    recorded = await costs(database)
    segments = {sid: int(m["resource"]["num_segments"]) for sid, m in _by_sid(short, long)}
    assert segments == {short["resource"]["sid"]: 1, long["resource"]["sid"]: 2}
    assert {sid: row.segments for sid, row in recorded.items()} == segments  # Twilio's count
    assert all(row.estimated for row in recorded.values())
    assert sum(row.cost_usd for row in recorded.values()) == pytest.approx(3 * US_RATE)
    [sms] = await SpendLedger(database).sends(*month_bounds(datetime.now(UTC)))
    assert (sms.name, sms.messages, sms.segments, sms.estimated_messages) == ("sms", 2, 3, 2)
    assert await SpendLedger(database).cost(*month_bounds(datetime.now(UTC))) == pytest.approx(
        3 * US_RATE
    )


async def test_twilios_price_on_the_status_callback_replaces_the_estimate(database: Database):
    async with running_sms_bot(database, sms_price_per_segment_usd=0.01) as bot:
        first = (await ask(bot, "Hi", "Hello!"))["resource"]["sid"]
        second = (await ask(bot, "Hours?", "9 to 5."))["resource"]["sid"]
        report = {"AccountSid": bot.fake.account_sid, "MessageStatus": "delivered"}
        priced = await bot.post(
            "/sms/status",
            {**report, "MessageSid": first, "Price": "-0.00790", "PriceUnit": "USD"},
        )
        in_euros = await bot.post(
            "/sms/status",
            {**report, "MessageSid": second, "Price": "-0.0071", "PriceUnit": "EUR"},
        )
        unpriced = await bot.post("/sms/status", {**report, "MessageSid": second})

    assert [r.status_code for r in (priced, in_euros, unpriced)] == [204, 204, 204]
    recorded = await costs(database)
    assert (recorded[first].cost_usd, recorded[first].estimated) == (pytest.approx(0.0079), False)
    # A price in another currency keeps the estimate: the budget is in dollars.
    assert (recorded[second].cost_usd, recorded[second].estimated) == (pytest.approx(0.01), True)


async def test_sms_spend_trips_the_monthly_budget_alert(database: Database):
    # The scripted model is free: only the SMS replies cost anything (3 x $0.0083).
    async with running_sms_bot(database, monthly_budget_usd=0.02) as bot:
        for question in ("One?", "Two?", "Three?"):
            await ask(bot, question, "Yes.")
        assert bot.runtime.budget.month_spend_usd == pytest.approx(3 * US_RATE)

    async with database.sessions() as session:
        alerts = (await session.scalars(select(Alert).where(Alert.kind == "budget"))).all()
    month = f"{datetime.now(UTC):%Y-%m}"
    assert sorted(a.key for a in alerts) == [f"budget:{month}:100", f"budget:{month}:80"]
    assert "SMS" in alerts[0].message


async def test_bot_costs_shows_the_sms_spend_and_counts_it_in_the_budget(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await database.migrate()
    try:
        async with running_sms_bot(database) as bot:
            await ask(bot, "Open today?", "Yes.")
            await ask(bot, "Tomorrow?", "Yes, 9 to 5.")
    finally:
        await database.dispose()
    env = bot_env(tmp_path, MONTHLY_BUDGET_USD="1")

    as_json = run_bot(["costs", "--json"], env, tmp_path)
    as_text = run_bot(["costs"], {**env, "COLUMNS": "160"}, tmp_path)

    assert as_json.returncode == 0, as_json.stderr
    month = json.loads(as_json.stdout)["month"]
    assert month["sends"] == [
        {
            "name": "sms",
            "messages": 2,
            "segments": 2,
            "cost_usd": pytest.approx(2 * US_RATE),
            "estimated_messages": 2,
        }
    ]
    assert month["total_cost_usd"] == pytest.approx(month["cost_usd"] + 2 * US_RATE)
    assert month["budget_used_pct"] == pytest.approx(month["total_cost_usd"] * 100)
    assert as_text.returncode == 0, as_text.stderr
    assert "sms sends: $0.016600 · 2 sent · 2 segments" in as_text.stdout


def _by_sid(*messages: dict) -> list[tuple[str, dict]]:
    return [(m["resource"]["sid"], m) for m in messages]
