"""How many rows a table holds: what many tests check after a write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from memory.db import Database


async def count_rows(db: Database, table: Any) -> int:
    """The number of rows of ``table`` (a mapped class or a Core table)."""
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)
