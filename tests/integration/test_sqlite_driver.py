"""The SQLite connections' one-trip cursors (`memory.sqlite_driver`), through SQLAlchemy.

What the adapter must keep from aiosqlite's own cursors: results longer than a chunk
(streamed a chunk at a time), row counts, errors as SQLAlchemy's, and one trip to
the connection's thread per statement.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from memory import sqlite_driver
from memory.db import Database


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield database
    await database.dispose()


async def test_a_result_longer_than_a_chunk_comes_back_whole_and_streamed(db: Database):
    rows = [{"v": f"row {i}"} for i in range(sqlite_driver.CHUNK * 2 + 7)]
    async with db.engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), rows)
        assert inserted.rowcount == len(rows)

        every = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
        streamed = [v async for v in await conn.stream_scalars(text("SELECT v FROM t ORDER BY id"))]

    assert every == [row["v"] for row in rows]
    assert streamed == every


async def test_row_counts_returning_and_errors(db: Database):
    async with db.engine.begin() as conn:
        new_id = (
            await conn.execute(text("INSERT INTO t (v) VALUES ('a') RETURNING id"))
        ).scalar_one()
        changed = await conn.execute(text("UPDATE t SET v = 'b' WHERE id = :id"), {"id": new_id})
        unchanged = await conn.execute(text("UPDATE t SET v = 'c' WHERE id = -1"))
        assert (changed.rowcount, unchanged.rowcount) == (1, 0)

    with pytest.raises(IntegrityError):
        async with db.engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('b')"))

    async with db.engine.connect() as conn:  # the failed transaction left nothing behind
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 1


async def test_one_trip_to_the_thread_per_statement(db: Database, monkeypatch):
    trips: Counter[str] = Counter()
    on_thread = sqlite_driver.OneTripConnection.on_thread

    async def counted(self, function):
        trips["trip"] += 1
        return await on_thread(self, function)

    monkeypatch.setattr(sqlite_driver.OneTripConnection, "on_thread", counted)
    async with db.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the pool's first check-out may talk more
        trips.clear()
        for _ in range(5):
            assert (await conn.execute(text("SELECT v FROM t"))).all() == []

    assert trips["trip"] == 5


async def test_the_log_is_checkpointed_beside_the_writers_not_by_a_commit(
    db: Database, monkeypatch
):
    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 3)
    runs: list[str] = []
    checkpoint = sqlite_driver.Checkpoints.checkpoint

    async def recorded(self):
        runs.append("checkpoint")
        await checkpoint(self)

    monkeypatch.setattr(sqlite_driver.Checkpoints, "checkpoint", recorded)
    async with db.engine.connect() as conn:
        # No commit copies the log into the file itself (that commit would wait for it).
        assert (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one() == 0

    async def write(i: int) -> None:
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"row {i}"})

    await write(0)
    await write(1)
    assert runs == []
    await write(2)  # the third commit starts one, in a task of its own
    assert db._checkpoints is not None and db._checkpoints._running is not None
    await db._checkpoints._running
    assert runs == ["checkpoint"]
    async with db.engine.connect() as conn:  # nothing left in the log to copy
        busy, frames, copied = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")).one()
    assert busy == 0 and frames == copied
