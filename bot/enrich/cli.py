"""``bot enrich``: research one person, or a whole CSV of them, and score the leads.

``bot enrich jane@acme.com [--refresh] [--json]`` enriches one person as
``/enrich`` does. ``bot enrich contacts.csv --concurrency 20 --out
results.jsonl`` runs a batch (`bot.enrich.batch`): a progress bar
and bad rows on stderr, one JSON line per row in the out file, and the same
command again resumes an interrupted run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.run import run_with_runtime
from bot.enrich.batch import ERROR, BatchSummary, EnrichBatch, read_rows
from bot.enrich.render import enrichment_card
from bot.enrich.target import TargetError
from bot.runtime import Runtime
from memory.enrichment_records import AmbiguousContactError, ContactNotFoundError


@click.command()
@click.argument("target")
@click.option("--refresh", is_flag=True, help="Research anew even if a fresh result is stored.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Batch: the JSON-lines results file (default: <csv>.results.jsonl); appended to.",
)
@click.option(
    "--concurrency",
    default=20,
    show_default=True,
    type=click.IntRange(1, 500),
    help="Batch: rows researched at once.",
)
@click.option(
    "--max-per-minute",
    type=click.FloatRange(min=0, min_open=True),
    help="Batch: start at most this many researches a minute (pacing for rate limits).",
)
def enrich(
    target: str,
    refresh: bool,
    as_json: bool,
    out: Path | None,
    concurrency: int,
    max_per_minute: float | None,
) -> None:
    """Research TARGET (a name, e-mail, phone, slack:U123 or #id) or every row of a CSV file.

    A CSV needs a header naming any of name, email, phone, slack. Rows already
    in the out file as ok are skipped, so running the same command again
    resumes an interrupted batch; nothing is researched twice.
    """
    path = Path(target)
    if target.lower().endswith(".csv") or path.is_file():
        out = out or path.with_suffix(".results.jsonl")
        _batch(path, out, refresh, as_json, concurrency, max_per_minute)
    else:
        _one(target, refresh, as_json)


def _one(text: str, refresh: bool, as_json: bool) -> None:
    async def work(runtime: Runtime) -> tuple[Any, str | None]:
        try:
            record = await runtime.enrich.locate(runtime.enrich.parse(text))
        except (TargetError, ContactNotFoundError) as exc:
            raise click.ClickException(str(exc)) from None
        except AmbiguousContactError as exc:
            listed = "; ".join(
                f"#{c.id} ({', '.join(f'{k}:{v}' for k, v in c.addresses) or 'no identities'})"
                for c in exc.candidates
            )
            raise click.ClickException(f"{exc}: {listed}. Give an e-mail, phone or #id.") from None
        return await runtime.enrich.enrich_record(record, refresh=refresh), record.name

    enrichment, name = run_with_runtime(work)
    if as_json:
        click.echo(enrichment.model_dump_json())
        return
    card = enrichment_card(enrichment, name=name or text)
    Console(highlight=False, soft_wrap=True).print(escape(card.as_text()))


def _batch(
    path: Path,
    out: Path,
    refresh: bool,
    as_json: bool,
    concurrency: int,
    max_per_minute: float | None,
) -> None:
    rows = read_rows(path)
    stderr = Console(stderr=True, highlight=False)
    progress = Progress(
        TextColumn("enriching"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    )

    async def work(runtime: Runtime) -> BatchSummary:
        batch = EnrichBatch(
            runtime.enrich,
            out=out,
            concurrency=concurrency,
            max_per_minute=max_per_minute,
            refresh=refresh,
        )
        task = progress.add_task("enrich", total=len(rows))

        def on_record(record: dict[str, Any]) -> None:
            progress.advance(task)
            if record["status"] == ERROR:
                progress.console.print(
                    f"{escape(str(path))}:{record['line']}: {escape(record['error'])}",
                    soft_wrap=True,  # one line per bad row, whatever the terminal's width
                )

        batch.on_record = on_record
        # Rows an earlier run finished count as done from the start.
        batch.on_start = lambda summary: progress.update(task, completed=summary.resumed)
        with progress:
            return await batch.run(rows)

    try:
        summary = run_with_runtime(work)
    except KeyboardInterrupt:
        click.echo(f"interrupted: finished rows are in {out}; run again to resume", err=True)
        sys.exit(130)
    if as_json:
        click.echo(json.dumps({**summary.as_dict(), "out": str(out)}))
    else:
        click.echo(
            f"{summary.rows} rows: {summary.done} enriched, {summary.reused} reused, "
            f"{summary.resumed} already done, {summary.skipped_bad} bad rows skipped, "
            f"{summary.failed} failed → {out}"
        )
    if summary.failed:
        sys.exit(1)
