"""`Database`: the async engine, sessions, migrations and health of the store.

SQLite (aiosqlite) is the embedded default; PostgreSQL (asyncpg) the
production store. The differences that matter are handled here once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from memory import sqlite_driver
from memory.errors import StoreUnavailableError

# Any 64-bit constant: several processes starting at once migrate one at a time.
_MIGRATION_LOCK_KEY = 7_340_211_905_118


#: What a driver says when the database cannot be opened, and what to tell the person.
_CANNOT_CONNECT = (
    ("role", lambda c: f"{c}: create it (createuser) or fix the user name"),
    ("does not exist", lambda c: f"{c}: create it (createdb) or fix the name"),
    ("password authentication failed", lambda c: f"{c}: fix the password"),
    (
        "unable to open database file",
        lambda _: (
            "the SQLite file cannot be opened here: check that its folder exists and is writable"
        ),
    ),
    ("file is not a database", lambda _: "that file is not a SQLite database"),
    ("connect call failed", lambda c: f"cannot connect ({c}): is the server running?"),
    ("connection refused", lambda c: f"cannot connect ({c}): is the server running?"),
)


class Database:
    """One database: an engine, a session factory, and the schema's migrations."""

    def __init__(
        self, url: str, *, schema: str | None = None, echo: bool = False, pool_size: int = 10
    ) -> None:
        """Connect lazily to ``url``.

        ``schema`` (PostgreSQL only) puts every table in that schema, which
        lets tests run side by side in one database. ``pool_size`` (PostgreSQL)
        is the connections kept open; as many again open for a burst.
        """
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        connect_args: dict[str, Any] = {}
        if schema and self.dialect == "postgresql":
            connect_args["server_settings"] = {"search_path": schema}
        self.schema = schema
        # No pre-ping: it is a round trip before every session (a message's answer opens
        # about eight). A connection found dead instead fails its one statement with a
        # disconnect error, which makes SQLAlchemy drop every older pooled connection:
        # after a database restart, the requests in flight get 503 (the vendor re-sends)
        # and the jobs in flight are retried; the next ones connect afresh.
        engine_options: dict[str, Any] = {"pool_pre_ping": False}
        if self.dialect == "sqlite":
            # A local file needs no liveness check, and every session here ends in
            # COMMIT or ROLLBACK, so the pool's extra ROLLBACK on check-in is waste.
            # Connections make one trip to aiosqlite's thread per statement, not four.
            parsed = make_url(url)
            args, options = parsed.get_dialect()().create_connect_args(parsed)
            engine_options = {
                "pool_pre_ping": False,
                "pool_reset_on_return": None,
                "async_creator": sqlite_driver.creator(*args, **options),
            }
        else:
            # SQLAlchemy's default (5 kept, 10 more for a burst) closed and reopened
            # connections all the time under 50 webhooks in flight: each new one costs
            # PostgreSQL a backend process and the bot a TLS attempt and a login.
            engine_options.update(pool_size=pool_size, max_overflow=pool_size)
        self._connect_args = connect_args
        self._engine_options = engine_options
        self._intake_engine: AsyncEngine | None = None
        # hide_parameters: a statement's values (a customer's name, their words)
        # never appear in an error's text, so not in a traceback or a log line.
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, connect_args=connect_args, hide_parameters=True, **engine_options
        )
        self._checkpoints: sqlite_driver.Checkpoints | None = None
        if self.dialect == "sqlite":
            sqlite_driver.configure(self.engine)
            self._checkpoints = sqlite_driver.Checkpoints(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL: sessions whose every statement is its own transaction, on the same
        # pool (setting the level on a checked-out asyncpg connection costs no round trip).
        self._autocommit_sessions = (
            async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
            if self.dialect == "postgresql"
            else None
        )
        self._pool_size = pool_size
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def intake_engine(self) -> AsyncEngine:
        """PostgreSQL: an autocommit engine with a pool of its own, for the webhooks' one
        statement (`memory.one_statement_intake`).

        Its own pool, so a webhook never waits behind an in-process worker's jobs
        for a connection; autocommit: no BEGIN, no COMMIT around the statement.
        """
        if self.dialect != "postgresql":
            raise ValueError("the intake engine is for PostgreSQL")
        if self._intake_engine is None:
            # No overflow: a burst queues for a kept connection (a statement takes under a
            # millisecond) rather than opening and closing extras (TLS, login, backend).
            options = {**self._engine_options, "pool_size": self._pool_size, "max_overflow": 0}
            self._intake_engine = create_async_engine(
                self.url,
                connect_args=self._connect_args,
                hide_parameters=True,
                isolation_level="AUTOCOMMIT",
                **options,
            )
        return self._intake_engine

    @asynccontextmanager
    async def reads(self) -> AsyncIterator[AsyncSession]:
        """A session for reads that need no snapshot in common. On PostgreSQL, autocommit:
        no BEGIN and ROLLBACK around them (under READ COMMITTED each statement had its own
        snapshot anyway). On SQLite, an ordinary session."""
        factory = self._autocommit_sessions or self.sessions
        async with factory() as session:
            yield session

    @asynccontextmanager
    async def one_write(self) -> AsyncIterator[AsyncSession]:
        """A session for a write that is ONE statement, atomic by itself. On PostgreSQL,
        autocommit (one round trip instead of three); on SQLite, `transaction`."""
        if self._autocommit_sessions is None:
            async with self.transaction() as session:
                yield session
            return
        async with self._autocommit_sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error.

        On SQLite, one writer at a time per process, queued in order on an
        asyncio lock. SQLite allows one writer anyway; without the queue, the
        others wait in its busy handler, which sleeps and retries (up to 100 ms
        a time) and turns a burst of webhooks into second-long stalls. Other
        processes still meet at the busy timeout. Not re-entrant: a transaction
        must not open another.
        """
        if self._write_lock is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._write_lock:
            async with self.sessions() as session, session.begin():
                yield session
            if self._checkpoints is not None:
                self._checkpoints.committed()

    def _insert(self, model: Any) -> Any:
        # ON CONFLICT is dialect syntax: SQLAlchemy builds it from the dialect's own insert.
        return (postgresql if self.dialect == "postgresql" else sqlite).insert(model)

    def insert_ignoring_conflicts(self, model: Any) -> Any:
        """An INSERT that skips rows clashing with a unique key (ON CONFLICT DO NOTHING)."""
        return self._insert(model).on_conflict_do_nothing()

    def upsert(self, model: Any, *, index_elements: list[str], set_: dict[str, Any]) -> Any:
        """An INSERT that updates ``set_`` on the row clashing with ``index_elements``."""
        return self._insert(model).on_conflict_do_update(index_elements=index_elements, set_=set_)

    async def migrate(self) -> None:
        """Bring the schema to the newest migration (safe to run from many processes).

        A database that cannot be opened raises `StoreUnavailableError` with one
        line naming ``DATABASE_URL``: the first thing every command does is this.
        """
        try:
            self._open_sqlite_file()
            await self._migrate()
        except (OSError, DBAPIError, sqlite3.Error) as exc:
            unavailable = self.unavailable(exc)
            if unavailable is None:
                raise
            # Closed here, in the running loop: a connection left to the garbage
            # collector after the loop ends prints "Event loop is closed" under the line.
            await self.engine.dispose()
            raise unavailable from exc

    def unavailable(self, exc: BaseException) -> StoreUnavailableError | None:
        """``exc`` as a one-line error naming ``DATABASE_URL``, if it means we cannot connect."""
        where = make_url(self.url).render_as_string(hide_password=True)
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        for says, meaning in _CANNOT_CONNECT:
            if says in cause.lower():
                return StoreUnavailableError(f"DATABASE_URL={where}: {meaning(cause)}")
        if isinstance(exc, OSError):  # connection refused, no such host
            return StoreUnavailableError(f"DATABASE_URL={where}: cannot connect ({cause})")
        return None

    def _open_sqlite_file(self) -> None:
        """Open a SQLite file once without aiosqlite, whose thread outlives a failed open."""
        path = make_url(self.url).database
        if self.dialect == "sqlite" and path and path != ":memory:":
            sqlite3.connect(path).close()

    async def _migrate(self) -> None:
        async with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})"))
                if self.schema:  # under the lock: CREATE SCHEMA IF NOT EXISTS races otherwise
                    await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            else:
                # sqlite3 opens no transaction before DDL: take the write lock
                # explicitly, so the migration is atomic and a second process
                # waits for it instead of creating the same tables again.
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            await conn.run_sync(_upgrade_to_head)

    async def ping(self) -> None:
        """Check the database answers; raise `StoreUnavailableError` if not."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise StoreUnavailableError(f"database unreachable: {exc}") from exc

    async def dispose(self) -> None:
        """Close every pooled connection."""
        if self._checkpoints is not None:
            await self._checkpoints.aclose()
        await self.engine.dispose()
        if self._intake_engine is not None:
            await self._intake_engine.dispose()


def alembic_config() -> Config:
    """The Alembic configuration of this package's migrations."""
    config = Config()
    config.set_main_option("script_location", "memory:migrations")
    return config


def head_revision() -> str:
    """The newest migration's revision id: what a migrated database is at."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (its cursor's rowcount; 0 when unknown)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
