"""Shared fixtures: the network guard, databases (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), and a runtime wired with test doubles."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider, Price
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from channels.testing import RecordingChannel
from memory.db import Database
from memory.errors import StoreUnavailableError
from tests.support import network_guard
from tests.support.ci import skip_or_fail
from tests.support.postgres import postgres_url

network_guard.install()

#: A price that makes costs non-zero and easy to check: $1 / $2 per million tokens.
TEST_PRICE = Price(input_per_1m=1.0, output_per_1m=2.0)


async def _postgres_database() -> Database:
    db = Database(postgres_url(), schema=f"test_{uuid.uuid4().hex[:12]}")
    try:
        await db.ping()
    except StoreUnavailableError as exc:
        await db.dispose()
        skip_or_fail(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {exc}")
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: SQLite, then PostgreSQL (each test runs on both)."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    else:
        db = await _postgres_database()
    await db.migrate()
    try:
        yield db
    finally:
        if db.dialect == "postgresql":
            await drop_schema(db)
        await db.dispose()


async def drop_schema(db: Database) -> None:
    """Drop a test's PostgreSQL schema; again after a deadlock.

    Two tests on two xdist workers dropping their schemas at once can deadlock
    on PostgreSQL's shared catalogue (each schema holds procrastinate's
    functions and triggers); PostgreSQL then aborts one of them, which may
    simply run again.
    """
    for attempt in range(3):
        try:
            async with db.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
            return
        except DBAPIError as exc:
            if "deadlock" not in str(exc) or attempt == 2:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings that ignore the developer's .env and environment-specific paths.

    Routing here is the lexical part alone and never asks a clarifying question:
    tests of channels and commands are not about routing, and the embedded
    model's sentence vectors would slow every one of them. The routing tests
    turn both back on.
    """
    return load_settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        router_min_confidence=0.0,
        router_embeddings=False,
    )


def polite_reply(messages: Sequence[ChatMessage]) -> str:
    """The default test model: answers with what it was asked."""
    return f"You said: {messages[-1].content}"


@pytest.fixture
def model() -> FunctionProvider:
    """A function provider with a known price; its ``calls`` show every prompt."""
    return FunctionProvider(polite_reply, model="polite", price=TEST_PRICE)


@pytest.fixture
def channels() -> dict[str, RecordingChannel]:
    """Recording channels standing in for SMS and Telegram."""
    return {name: RecordingChannel(name) for name in ("sms", "telegram")}


@pytest.fixture
async def runtime(
    settings: Settings,
    database: Database,
    model: FunctionProvider,
    channels: dict[str, RecordingChannel],
) -> AsyncIterator[Runtime]:
    """The whole bot on the test database, the function model and recording channels."""
    rt = await Runtime.start(settings, provider=model, channels=channels, db=database)
    try:
        yield rt
    finally:
        await rt.aclose(drain_seconds=5, keep_database=True)
