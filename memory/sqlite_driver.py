"""SQLite connections: one trip to aiosqlite's thread per statement, WAL, locks up front.

aiosqlite runs every call on the connection's own thread and wakes the event loop
with the result. SQLAlchemy's adapter makes four such calls per statement: open a
cursor, execute, fetch the rows, close the cursor. Each trip costs a queue hand-off,
a thread wake-up and an event-loop wake-up (50 to 100 µs on 2 cores), so a message's
answer spent more time travelling between threads than in SQLite: 48 trips for a
quote's 12 statements. `OneTripConnection` does the four in one call; rows beyond the
first `CHUNK` (a streamed copy of a whole table) are still fetched as asked.

`creator` makes the engine's ``async_creator`` (everything else is aiosqlite's own);
`configure` sets each new connection up.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

#: Rows fetched with the statement itself; a longer result keeps its cursor open.
CHUNK = 512

_Result = tuple[Any, list[Any], int, int | None]


class OneTripCursor:
    """The subset of `aiosqlite.Cursor` SQLAlchemy uses, one thread trip per statement."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._open: sqlite3.Cursor | None = None  # only while rows remain unfetched
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        """Run ``sql`` and fetch its first rows in one trip."""
        await self._close_open()
        run = partial(self._run, sql, parameters if parameters is not None else ())
        (
            self._open,
            (self.description, self._rows, self.rowcount, self.lastrowid),
        ) = await self._connection.on_thread(run)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        """Run ``sql`` once per parameter set, in one trip."""
        await self._close_open()
        counts = await self._connection.on_thread(partial(self._many, sql, parameters))
        self.description, self._rows = None, []
        self.rowcount, self.lastrowid = counts
        return self

    def _run(self, sql: str, parameters: Any) -> tuple[sqlite3.Cursor | None, _Result]:
        cursor = self._connection.sqlite.cursor()
        try:
            cursor.execute(sql, parameters)
            rows = cursor.fetchmany(CHUNK) if cursor.description else []
        except BaseException:
            cursor.close()
            raise
        result = (cursor.description, rows, cursor.rowcount, cursor.lastrowid)
        if len(rows) < CHUNK:
            cursor.close()
            return None, result
        return cursor, result

    def _many(self, sql: str, parameters: Any) -> tuple[int, int | None]:
        cursor = self._connection.sqlite.cursor()
        try:
            cursor.executemany(sql, parameters)
            return cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    async def fetchone(self) -> Any:
        """The next row, or None."""
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        """Up to ``size`` more rows (``arraysize`` when not given)."""
        size = size or self.arraysize
        if len(self._rows) < size and self._open is not None:
            self._rows += await self._connection.on_thread(partial(self._more, size))
        taken, self._rows = self._rows[:size], self._rows[size:]
        return taken

    async def fetchall(self) -> Sequence[Any]:
        """Every remaining row."""
        if self._open is not None:
            self._rows += await self._connection.on_thread(partial(self._more, None))
        taken, self._rows = self._rows, []
        return taken

    def _more(self, size: int | None) -> list[Any]:
        cursor = self._open
        assert cursor is not None
        rows = cursor.fetchall() if size is None else cursor.fetchmany(max(size, CHUNK))
        if size is None or len(rows) < max(size, CHUNK):
            cursor.close()
            self._open = None
        return rows

    async def close(self) -> None:
        """Forget the rows; close the sqlite3 cursor if a long result kept it open."""
        self._rows = []
        await self._close_open()

    async def _close_open(self) -> None:
        if self._open is not None:
            cursor, self._open = self._open, None
            await self._connection.on_thread(cursor.close)


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors make one thread trip per statement."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """A cursor (SQLAlchemy enters it with ``async with`` semantics)."""
        return OneTripCursor(self)

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection (use it only on the connection's thread)."""
        return self._conn

    async def on_thread(self, function: Callable[[], Any]) -> Any:
        """Run ``function`` on the connection's thread."""
        return await self._execute(function)


def creator(database: str, **options: Any) -> Callable[[], Any]:
    """An ``async_creator`` for `create_async_engine`: ``sqlite3.connect(database,
    **options)`` on a `OneTripConnection`'s thread (a daemon: an exiting process does
    not wait for it, as with SQLAlchemy's own aiosqlite connections)."""

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, database, **options), 64)
        connection._thread.daemon = True
        await connection
        return connection

    return connect


def configure(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and write transactions that lock up front.

    The sqlite3 module begins a transaction just before the first INSERT,
    UPDATE or DELETE; reads before it run on their own. With isolation level
    IMMEDIATE that BEGIN takes the write lock at once, so a transaction never
    has to upgrade a read snapshot to a write (which fails with "database is
    locked" however long the timeout), and the BEGIN costs no extra round
    trip to aiosqlite's thread. The price: reads before a transaction's first
    write are not part of it. The stores rely on unique keys and re-read
    identities after inserting them, as they must on PostgreSQL's READ
    COMMITTED anyway.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=10000")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception as exc:  # the driver's OperationalError, adapted by SQLAlchemy
            # Switching a fresh file to WAL needs it to itself, and SQLite
            # answers "locked" at once rather than waiting. The mode is stored
            # in the file: the connection holding the lock has set it already.
            if "locked" not in str(exc):
                raise
        cursor.execute("PRAGMA synchronous=NORMAL")
        # The log is copied into the database file by `Checkpoints`, beside the writers,
        # not by whichever commit grows it past 1,000 pages (that one waited 3-8 ms).
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        dbapi_connection.isolation_level = "IMMEDIATE"


#: Commits between two checkpoints of the write-ahead log.
CHECKPOINT_EVERY = 200


class Checkpoints:
    """Copies the write-ahead log into the database file in the background.

    By default SQLite does it inside the commit that grows the log past 1,000 pages,
    so every few hundred messages one answer waited 3 to 8 ms for it (bench/overhead.py:
    that was the in-process p99). Here connections turn that off (`configure`), and
    every `CHECKPOINT_EVERY`-th commit starts a PASSIVE checkpoint in a task of its own
    on its own connection: writers go on meanwhile (SQLite releases the GIL while it
    copies). A process that ends before its next checkpoint leaves the log to the next
    one, and SQLite checkpoints when the last connection to the file closes.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._commits = 0
        self._running: asyncio.Task[None] | None = None

    def committed(self) -> None:
        """Count a commit; start a checkpoint every `CHECKPOINT_EVERY` of them."""
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY or (self._running and not self._running.done()):
            return
        self._running = asyncio.get_running_loop().create_task(self.checkpoint())

    async def checkpoint(self) -> None:
        """Copy what the log holds into the file now, without waiting for anyone."""
        try:
            async with self._engine.connect() as connection:
                await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception as exc:  # the next one catches up; the log only grows meanwhile
            log.warning("sqlite: a checkpoint of the write-ahead log failed: %s", exc)

    async def aclose(self) -> None:
        """Wait for a checkpoint under way (before the engine's connections close)."""
        task = self._running
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            await task
