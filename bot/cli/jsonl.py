"""Writing an export as JSON lines, to a file or standard output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any

import click

from bot.settings import get_settings
from memory.db import Database

#: Given the migrated database, yields the export's records (None: skip it).
Records = Callable[[Database], AsyncIterator[dict[str, Any] | None]]


def write_jsonl(records: Records, output: Path | None, noun: str) -> None:
    """Write every record as one JSON line to ``output`` (or stdout); say how many on stderr."""

    async def run(out: IO[str]) -> int:
        db = Database(get_settings().database_url)
        try:
            await db.migrate()
            count = 0
            async for record in records(db):
                if record is not None:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
            return count
        finally:
            await db.dispose()

    if output is None:
        count = asyncio.run(run(sys.stdout))
        click.echo(f"exported {count} {noun}", err=True)
        return
    with output.open("w", encoding="utf-8") as out:
        count = asyncio.run(run(out))
    click.echo(f"exported {count} {noun} to {output}", err=True)
