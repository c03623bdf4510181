"""`copy_database`: every row of one database into another (SQLite to PostgreSQL).

For a business that outgrew the embedded SQLite: the target is migrated to
the same schema, then every table of `Base.metadata` is copied in
foreign-key order (parents first), in batches, keeping ids so every link
holds. PostgreSQL's id sequences are then moved past the copied ids, or the
next insert would collide with a copied row. The job engine's own tables
(procrastinate's) are not copied: on SQLite there are none, and the answers
they would hold were finished or are swept again at start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from memory.db import Database
from memory.errors import MemoryStoreError
from memory.models import Base

#: Rows per INSERT: asyncpg's executemany sends them in one round trip.
BATCH = 1000


class TargetNotEmptyError(MemoryStoreError):
    """The target already holds rows: copying would mix two businesses."""


async def row_counts(db: Database) -> dict[str, int]:
    """Rows per table of the bot's schema, in foreign-key order."""
    counts: dict[str, int] = {}
    async with db.sessions() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await session.scalar(select(func.count()).select_from(table)) or 0
    return counts


async def copy_database(
    source: Database,
    target: Database,
    *,
    force: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``; the rows copied per table.

    The target is migrated first. It must be empty unless ``force``, which
    empties its tables before copying (the target's data is replaced).
    """
    await target.migrate()
    tables = Base.metadata.sorted_tables
    filled = {name: n for name, n in (await row_counts(target)).items() if n}
    if filled and not force:
        raise TargetNotEmptyError(
            "the target database already holds rows ("
            + ", ".join(f"{name} {n}" for name, n in filled.items())
            + "); use --force to replace them"
        )
    copied: dict[str, int] = {}
    async with target.engine.begin() as out:  # one transaction: all rows or none
        if filled:
            for table in reversed(tables):  # children first
                await out.execute(table.delete())
        async with source.engine.connect() as src:
            for table in tables:
                count = 0
                # Links within one table (a merged contact, a reply, a cached compare)
                # may point at a later row: inserted empty, then set once all are in.
                own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
                links: list[dict[str, object]] = []
                result = await src.stream(select(table).order_by(*table.primary_key.columns))
                async for batch in result.mappings().partitions(BATCH):
                    rows = [_portable(dict(row)) for row in batch]
                    for row in rows:
                        if any(row[name] is not None for name in own):
                            links.append({"_id": row["id"], **{f"_{n}": row[n] for n in own}})
                            row.update(dict.fromkeys(own, None))
                    await out.execute(insert(table), rows)
                    count += len(rows)
                if links:
                    await out.execute(
                        update(table)
                        .where(table.c.id == bindparam("_id"))
                        .values({name: bindparam(f"_{name}") for name in own}),
                        links,
                    )
                copied[table.name] = count
                if progress is not None:
                    progress(table.name, count)
        if target.dialect == "postgresql":
            await _reset_sequences(out, tables)
    return copied


def _portable(row: dict[str, Any]) -> dict[str, Any]:
    """SQLite hands back its timestamps without a zone; they were stored in UTC."""
    for key, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            row[key] = value.replace(tzinfo=UTC)
    return row


async def _reset_sequences(conn: AsyncConnection, tables: Sequence[Table]) -> None:
    """Move each id sequence past the highest copied id (or back to 1 when empty)."""
    for table in tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            sequence = await conn.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            )
            if sequence is None:
                continue
            await conn.execute(
                text(
                    f'SELECT setval(:seq, coalesce((SELECT max("{column.name}") '
                    f'FROM "{table.name}"), 0) + 1, false)'
                ),
                {"seq": sequence},
            )
