"""``/livez`` and ``/readyz``: ready on a migrated database, 503 once PostgreSQL is out of reach.

The database goes down for real: the bot reaches PostgreSQL through a TCP
relay on 127.0.0.1 that the test closes, cutting every connection.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from sqlalchemy import text
from sqlalchemy.engine import make_url

from agents.providers.function import FunctionProvider
from bot.testing.served import http_client, running_runtime
from memory.db import Database
from tests.support.postgres import postgres_url


class Relay:
    """A TCP relay to PostgreSQL: `cut` drops every connection and refuses new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.down = False
        self.writers: list[asyncio.StreamWriter] = []

    def cut(self) -> None:
        self.down = True
        for writer in self.writers:
            writer.close()
        self.writers.clear()

    def restore(self) -> None:
        self.down = False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers.extend((writer, up_writer))
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with suppress(Exception):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@asynccontextmanager
async def relay(host: str, port: int) -> AsyncIterator[tuple[int, Relay]]:
    """A `Relay` listening on a free loopback port."""
    relayed = Relay(host, port)
    server = await asyncio.start_server(relayed.handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], relayed
    finally:
        relayed.cut()
        server.close()


async def test_readyz_turns_503_when_postgresql_is_down() -> None:
    url = postgres_url()
    real = make_url(url)
    async with relay(real.host or "127.0.0.1", real.port or 5432) as (port, link):
        db = Database(
            real.set(port=port).render_as_string(hide_password=False),
            schema=f"test_{uuid.uuid4().hex[:12]}",
        )
        await db.migrate()
        provider = FunctionProvider(lambda messages: "ok", model="echo")
        try:
            async with running_runtime(db, provider) as runtime, http_client(runtime) as http:
                assert (await http.get("/livez")).status_code == 200
                ready = await http.get("/readyz")
                assert ready.status_code == 200, ready.text
                checks = ready.json()
                assert (
                    checks["migrations"]["ok"] and checks["model"]["ok"] and checks["queue"]["ok"]
                )
                link.cut()
                unready = await http.get("/readyz")
                assert unready.status_code == 503
                assert unready.json()["database"]["ok"] is False
                assert (await http.get("/livez")).status_code == 200  # alive: no restart needed
                link.restore()  # back before shutdown, which hands jobs back to the queue
                assert (await http.get("/readyz")).status_code == 200
        finally:
            cleanup = Database(url, schema=db.schema)
            async with cleanup.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
            await cleanup.dispose()
            with suppress(Exception):
                await db.dispose()


async def test_readyz_fails_when_migrations_are_behind(database: Database) -> None:
    provider = FunctionProvider(lambda messages: "ok", model="echo")
    async with running_runtime(database, provider) as runtime, http_client(runtime) as http:
        assert (await http.get("/readyz")).status_code == 200
        async with database.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        answer = await http.get("/readyz")
        assert answer.status_code == 503
        assert answer.json()["migrations"] == {
            "ok": False,
            "at": "older",
            "head": answer.json()["migrations"]["head"],
        }
