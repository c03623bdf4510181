"""The budget monitor inside the running bot: the runtime builds it from the settings,
the providers consult it, and every reply and new contact is counted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.base import Address, IncomingMessage
from memory.db import Database
from memory.models import Alert, ModelCall
from tests.conftest import TEST_PRICE, polite_reply


def sms(text: str, phone: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms", sender=Address("phone", phone), conversation_key=phone, text=text
    )


async def start(tmp_path: Path, database: Database, **settings: object) -> Runtime:
    return await Runtime.start(
        load_settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'x.db'}", **settings),
        provider=FunctionProvider(polite_reply, model="polite", price=TEST_PRICE),
        db=database,
    )


async def test_replies_count_against_the_budget_and_trip_its_alerts(
    tmp_path: Path, database: Database, caplog
):
    # One reply costs a few hundred-thousandths of a dollar: past any budget this small.
    rt = await start(tmp_path, database, monthly_budget_usd=0.000001, budget_hard_cap=True)
    try:
        assert rt.providers.spend_gate is rt.budget
        assert rt.budget.paid_calls_allowed()

        with caplog.at_level(logging.WARNING):
            await rt.orchestrator.handle(sms("How much is the deposit?", "+15551230001"))

        async with database.sessions() as session:
            spent = await session.scalar(select(func.sum(ModelCall.cost_usd)))
            alerts = list(await session.scalars(select(Alert.key).order_by(Alert.id)))
    finally:
        await rt.providers.aclose()

    month = f"{datetime.now(UTC):%Y-%m}"
    assert spent > 0
    assert rt.budget.month_spend_usd == pytest.approx(spent)
    assert alerts == [f"budget:{month}:80", f"budget:{month}:100"]
    assert not rt.budget.paid_calls_allowed()
    assert f"alert budget:{month}:100" in caplog.text  # the log sink


async def test_the_new_contact_that_reaches_the_threshold_alerts(
    tmp_path: Path, database: Database
):
    rt = await start(tmp_path, database, customer_alert_threshold=2)
    try:
        await rt.orchestrator.handle(sms("Hello", "+15551230001"))
        await rt.orchestrator.handle(sms("Hello again", "+15551230001"))
        assert rt.budget.live_contacts == 1

        await rt.orchestrator.handle(sms("Hi, I am new", "+15551230002"))
        async with database.sessions() as session:
            alerts = list(await session.scalars(select(Alert.key)))
    finally:
        await rt.providers.aclose()

    assert alerts == ["customers:2"]
