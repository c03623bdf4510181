"""``bot db copy --to postgresql://…``: a seeded SQLite file moved into a fresh PostgreSQL database.

The source is Jane's data in every table (tests/support/privacy_data.py);
the target a database created for this test on TEST_DATABASE_URL's server
and dropped after. The copy runs as the user runs it, a subprocess; then
every row of every table is compared, a new insert must get a fresh id
(the sequences were moved past the copied ids), a second copy is refused
without ``--force`` and replaces the rows with it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.testing import RecordingChannel
from memory.db import Database
from memory.models import Base, Contact, Message
from tests.conftest import polite_reply
from tests.support.cli import bot_env, run_bot
from tests.support.postgres import postgres_url
from tests.support.privacy_data import seed_jane

pytestmark = pytest.mark.postgres


@pytest.fixture
def target_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (the copy's target), dropped after the test."""
    url = postgres_url()
    name = f"copy_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seed(tmp_path: Path) -> None:
    async def run() -> None:
        settings = load_settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            router_min_confidence=0.0,
            router_embeddings=False,
        )
        channels = {name: RecordingChannel(name) for name in ("sms", "telegram")}
        runtime = await Runtime.start(
            settings, provider=FunctionProvider(polite_reply, model="polite"), channels=channels
        )
        try:
            await seed_jane(runtime)
        finally:
            await runtime.aclose(drain_seconds=5)

    asyncio.run(run())


def _same(value: Any) -> Any:
    # SQLite hands timestamps back without their zone (they are UTC); PostgreSQL with it.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


async def every_row(url: str) -> dict[str, list[dict[str, Any]]]:
    db = Database(url)
    try:
        async with db.sessions() as session:
            return {
                table.name: [
                    {k: _same(v) for k, v in row._mapping.items()}
                    for row in await session.execute(select(table).order_by(table.c.id))
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        await db.dispose()


async def insert_after_copy(url: str) -> tuple[int, int]:
    """A new contact and message in the copy: their ids (fresh if the sequences moved)."""
    db = Database(url)
    try:
        async with db.transaction() as session:
            contact = Contact(display_name="New after the copy")
            session.add(contact)
            await session.flush()
            conversation_id = await session.scalar(select(Message.conversation_id).limit(1))
            message = Message(
                conversation_id=conversation_id,
                contact_id=contact.id,
                channel="sms",
                direction="in",
                text="hello from PostgreSQL",
            )
            session.add(message)
            await session.flush()
            return contact.id, message.id
    finally:
        await db.dispose()


def test_copy_moves_every_row_and_moves_the_sequences(tmp_path: Path, target_url: str):
    seed(tmp_path)
    env = bot_env(tmp_path)
    source_url = env["DATABASE_URL"]
    plain = target_url.replace("postgresql+asyncpg://", "postgresql://")  # as psql writes it

    copied = run_bot(["db", "copy", "--to", plain], env, tmp_path)

    assert copied.returncode == 0, copied.stderr
    source, target = asyncio.run(every_row(source_url)), asyncio.run(every_row(target_url))
    printed = dict(line.split() for line in copied.stdout.splitlines()[:-1])
    for table, rows in source.items():
        assert printed[table] == str(len(rows)), table
        assert target[table] == rows, table  # every row, every column
    filled = {table for table, rows in source.items() if rows}
    assert {
        "contacts",
        "identities",
        "conversations",
        "messages",
        "model_calls",
        "compare_queries",
        "compare_answers",
        "bookings",
        "followups",
        "tutor_pairs",
    } <= filled
    assert f"copied {sum(map(len, source.values()))} rows" in copied.stdout
    assert "postgres@" not in copied.stdout  # the URL's credentials are not echoed

    contact_id, message_id = asyncio.run(insert_after_copy(target_url))
    assert contact_id == max(r["id"] for r in source["contacts"]) + 1
    assert message_id == max(r["id"] for r in source["messages"]) + 1

    refused = run_bot(["db", "copy", "--to", plain], env, tmp_path)
    assert refused.returncode != 0
    assert "already holds rows" in refused.stderr and "--force" in refused.stderr

    forced = run_bot(["db", "copy", "--to", plain, "--force"], env, tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert asyncio.run(every_row(target_url)) == source  # the extra rows are gone
