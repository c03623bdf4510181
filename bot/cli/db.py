"""``bot db``: the store over time: purge old text, copy to PostgreSQL."""

from __future__ import annotations

import asyncio

import click

from bot.settings import get_settings
from memory.copy import copy_database
from memory.db import Database
from memory.retention import purge_old_text


@click.group()
def db() -> None:
    """Look after the database over time (retention, moving to PostgreSQL)."""


@db.command("purge")
@click.option("--days", type=int, default=None, help="Override RETENTION_DAYS for this run.")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
def purge(days: int | None, dry_run: bool) -> None:
    """Anonymise messages and stored model text older than RETENTION_DAYS (costs are kept)."""
    settings = get_settings()
    days = settings.retention_days if days is None else days
    if days <= 0:
        raise click.ClickException("RETENTION_DAYS is 0 (keep for ever): nothing to purge")

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            await database.migrate()
            report = await purge_old_text(database, days=days, dry_run=dry_run)
        finally:
            await database.dispose()
        verb = "would anonymise" if dry_run else "anonymised"
        click.echo(
            f"{verb} (older than {days} days): {report.messages} messages, "
            f"{report.tutor_pairs} tutor pairs, {report.compare_queries} compare questions, "
            f"{report.compare_answers} compare answers"
        )

    asyncio.run(run())


@db.command("copy")
@click.option(
    "--to",
    "target_url",
    required=True,
    metavar="URL",
    help="The target, e.g. postgresql+asyncpg://bot:secret@db:5432/bot.",
)
@click.option("--force", is_flag=True, help="Replace what the target already holds.")
def copy(target_url: str, force: bool) -> None:
    """Copy every row of DATABASE_URL (the embedded SQLite) into another database.

    Stop the bot first: messages written during the copy would be left behind.
    """
    if target_url.startswith(("postgresql://", "postgres://")):
        # The app speaks asyncpg; accept the URL as PostgreSQL's own tools write it.
        target_url = "postgresql+asyncpg://" + target_url.split("://", 1)[1]
    source_url = get_settings().database_url

    async def run() -> dict[str, int]:
        source, target = Database(source_url), Database(target_url)
        try:
            await source.migrate()  # an older file is brought to the same schema first
            return await copy_database(source, target, force=force)
        finally:
            await source.dispose()
            await target.dispose()

    copied = asyncio.run(run())
    width = max(len(name) for name in copied)
    for name, count in copied.items():
        click.echo(f"{name:<{width}}  {count}")
    click.echo(f"copied {sum(copied.values())} rows into {target_url.split('@')[-1]}")
