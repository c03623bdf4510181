"""A fresh database for one benchmark run, and its removal afterwards.

SQLite lives in the run's temporary folder. On PostgreSQL the run gets a
schema of its own, dropped at the end, so a run never meets an earlier run's
rows (a cached compare, a stored enrichment) and leaves none behind.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import text

from memory.db import Database


async def fresh_database(url: str | None, folder: str | Path, name: str) -> Database:
    """A migrated, empty database: ``url`` (PostgreSQL: in a new schema) or SQLite in ``folder``."""
    url = url or f"sqlite+aiosqlite:///{Path(folder) / name}"
    schema = f"bench_{uuid.uuid4().hex[:8]}" if url.startswith("postgresql") else None
    db = Database(url, schema=schema)
    await db.migrate()
    return db


async def drop(db: Database) -> None:
    """Drop a PostgreSQL run's schema; close the database."""
    if db.schema:
        async with db.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{db.schema}" CASCADE'))
    await db.dispose()
