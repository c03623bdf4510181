"""``bot kb``: the knowledge base the agents answer from (add, search, list, remove).

Every command first syncs BUSINESS_DIR's documents, as the bot does at start
(a hash check when nothing changed), so what it shows is what the bot uses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from agents.knowledge.ingest import ingest_paths, source_name
from agents.knowledge.retriever import Retriever
from agents.knowledge.service import open_knowledge_base
from bot.settings import Settings, get_settings
from memory.db import Database
from memory.knowledge import KnowledgeStore

T = TypeVar("T")


def _with_knowledge(work: Callable[[Settings, Retriever], Awaitable[T]], *, sync: bool = True) -> T:
    """Run ``work`` on a migrated database with the knowledge base open."""

    async def run() -> T:
        settings = get_settings()
        db = Database(settings.database_url)
        try:
            await db.migrate()
            if sync:
                retriever = await open_knowledge_base(
                    db,
                    settings.business_dir,
                    top_k=settings.kb_top_k,
                    min_score=settings.kb_min_score,
                )
            else:
                retriever = Retriever(KnowledgeStore(db))
            return await work(settings, retriever)
        finally:
            await db.dispose()

    return asyncio.run(run())


@click.group()
def kb() -> None:
    """The business's documents the agents answer from (Markdown and text)."""


@kb.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def add(paths: tuple[Path, ...]) -> None:
    """Add or refresh documents (files, or folders of *.md / *.txt); unchanged ones are kept."""

    async def work(settings: Settings, retriever: Retriever) -> None:
        results = await ingest_paths(retriever.store, paths, root=settings.business_dir)
        for result in results:
            state = "added/updated" if result.changed else "unchanged"
            click.echo(f"{result.source}: {state}, {result.chunks} chunks")

    _with_knowledge(work)


@kb.command("search")
@click.argument("query")
@click.option("--limit", default=None, type=click.IntRange(1, 50), help="Default: KB_TOP_K.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per chunk.")
def search(query: str, limit: int | None, as_json: bool) -> None:
    """Show the chunks that would answer QUERY, best first, with their BM25 scores.

    "used" marks what an agent would get: the chunks scoring KB_MIN_SCORE or more
    (or, when none does, the best ones if every word of QUERY is in the documents).
    The knowledge agent says it does not know when no chunk is used.
    """

    async def work(settings: Settings, retriever: Retriever) -> None:
        hits = await retriever.search(query, limit or settings.kb_top_k)
        used_ids = {hit.chunk_id for hit in await retriever.relevant(query)}
        if as_json:
            for hit in hits:
                row: dict[str, Any] = {
                    **hit.citation(),
                    "score": round(hit.score, 3),
                    "used": hit.chunk_id in used_ids,
                    "text": hit.text,
                }
                click.echo(json.dumps(row))
            return
        if not hits:
            click.echo("no chunk shares a word with the question")
            return
        console = Console(highlight=False, soft_wrap=True)
        for hit in hits:
            used = hit.chunk_id in used_ids
            mark = "[green]used[/]" if used else "[yellow]not used[/]"
            console.print(
                f"[bold]{hit.score:.2f}[/] {mark} #{hit.chunk_id} {hit.document} · {hit.heading}"
            )
            console.print(f"  {hit.text}", markup=False)

    _with_knowledge(work)


@kb.command("list")
def list_documents() -> None:
    """The stored documents with their chunk counts."""

    async def work(_settings: Settings, retriever: Retriever) -> None:
        documents = await retriever.store.documents()
        if not documents:
            click.echo("no documents")
            return
        table = Table(title_justify="left")
        for column in ("source", "title", "chunks", "updated (UTC)"):
            table.add_column(column, overflow="fold")
        for d in documents:
            table.add_row(d.source, d.title, str(d.chunks), f"{d.updated_at:%Y-%m-%d %H:%M}")
        Console().print(table)

    _with_knowledge(work)


@kb.command("remove")
@click.argument("source")
def remove(source: str) -> None:
    """Remove a document by its source (as `bot kb list` shows it) or its path."""

    settings = get_settings()
    business_files = {p.name for p in settings.business_dir.iterdir()}
    candidates = [source]
    if Path(source).exists():  # a path: the source it was stored under
        candidates.append(source_name(Path(source), settings.business_dir))

    async def work(settings: Settings, retriever: Retriever) -> None:
        store = retriever.store
        for name in candidates:
            removed = await store.remove(name)
            if removed is not None:
                click.echo(f"removed {name}: {removed} chunks")
                if name in business_files:
                    click.echo(
                        f"note: {name} is in BUSINESS_DIR ({settings.business_dir}); the bot "
                        "adds it again at its next start unless the file is deleted",
                        err=True,
                    )
                return
        raise click.ClickException(f"no document {source!r} (see bot kb list)")

    # No sync first: it would put back a business document about to be removed.
    _with_knowledge(work, sync=False)
