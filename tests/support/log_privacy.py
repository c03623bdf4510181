"""A process that logs personal data every way the bot can, through the bot's logging setup.

Run as ``python -m tests.support.log_privacy DATABASE_URL...``: it calls
`bot.log_setup.configure_logging` (what ``bot`` and ``bot serve`` use) and,
for each corpus case, logs the value as an argument and in a logged
exception; it serves an app that raises with the value in its error under
uvicorn with the bot's ``log_config`` (uvicorn's error and access logs); and
it logs a real IntegrityError carrying a customer's name on each database.
The test reads what the process wrote and looks for the values.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text

from bot.log_setup import configure_logging, log_config
from memory.db import Database
from memory.models import Contact
from tests.support.pii_corpus import CORPUS

NAME = "Margarethe Quellenberg-Oyelaran"
log = logging.getLogger("bot.pipeline.inbox")


def log_the_corpus() -> None:
    """Each value as an argument, in the format string, and in an exception's message."""
    for number, case in enumerate(CORPUS):
        log.warning("case %d: value %s end", number, case.value)
        log.warning(f"case {number}: inline {case.value} end")
        try:
            raise ValueError(f"case {number}: not valid {case.value} end")
        except ValueError:
            log.exception("case %d failed", number)


async def failing_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app whose error quotes the request's query string (input in error text)."""
    if scope["type"] != "http":
        return
    raise RuntimeError(f"cannot read {scope['query_string'].decode()} end")


async def serve_the_corpus() -> None:
    """uvicorn with the bot's log config: each request logs a traceback and an access line."""
    config = uvicorn.Config(
        failing_app, host="127.0.0.1", port=0, log_config=log_config("INFO"), lifespan="off"
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)  # as serve() would, without its signals
    await server.startup()
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for number, case in enumerate(CORPUS):
                if "%" in case.value:  # already as a query string carries it
                    await client.get(f"/?case={number}&to={case.value}")
    finally:
        await server.shutdown()


async def log_database_errors(url: str) -> None:
    """A foreign-key and a not-null violation, each with the customer's name in the row."""
    db = Database(url, schema=f"logs_{uuid.uuid4().hex[:8]}")
    await db.migrate()
    try:
        try:
            async with db.transaction() as session:
                session.add(Contact(display_name=NAME, merged_into_id=987_654_321))
        except Exception as exc:
            log.exception("storing contact failed on %s: %s", db.dialect, exc)
        try:
            async with db.transaction() as session:
                await session.execute(
                    text(
                        "INSERT INTO contacts (display_name, created_at, facts)"
                        " VALUES (:name, CURRENT_TIMESTAMP, NULL)"
                    ),
                    {"name": NAME},
                )
        except Exception:
            log.exception("storing contact failed again on %s", db.dialect)
    finally:
        if db.dialect == "postgresql":
            async with db.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
        await db.dispose()


async def main(urls: list[str]) -> None:
    """Everything above, then a line saying it all ran."""
    log_the_corpus()
    await serve_the_corpus()
    for url in urls:
        await log_database_errors(url)
    log.warning("log privacy run complete")


if __name__ == "__main__":
    configure_logging("INFO")
    asyncio.run(main(sys.argv[1:]))
