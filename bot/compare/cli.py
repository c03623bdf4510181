"""``bot compare``: ask several models at once in a terminal, answers filling a live table.

On a terminal the table is redrawn as each answer arrives (``rich.live``);
when stdout is a pipe or a file, one block per answer is printed as it
arrives instead. ``--json`` prints only the stored result, as the HTTP API
returns it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from bot.cli.run import parse_address, run_with_runtime
from bot.compare.admission import CompareRefusedError, CompareTicket
from bot.compare.command import STATS_WORD
from bot.compare.render import answer_figures, ranking_lines, stats_message
from bot.runtime import Runtime
from channels.base import Address
from channels.console import default_sender
from channels.text import shorten
from memory.compare_records import StoredAnswer, StoredCompare

#: How much of each answer the live table shows; ``--json`` has them whole.
TABLE_ANSWER_CHARS = 600


@click.command()
@click.argument("question", required=False, default="")
@click.option("--fresh", is_flag=True, help="Ask the models even if a stored answer exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.option("--stats", is_flag=True, help="Show win rates per model from the team's votes.")
@click.option(
    "--as",
    "as_",
    metavar="KIND:VALUE",
    help="Ask as this identity (the key of the rate limit).",
    callback=lambda _ctx, _param, value: parse_address(value) if value else None,
)
def compare(question: str, fresh: bool, as_json: bool, stats: bool, as_: Address | None) -> None:
    """Ask QUESTION of several models at once (COMPARE_MODELS) and rank the answers."""
    asker = str(as_ or default_sender())

    # As in chat, where /compare stats shows the win rates.
    stats = stats or question.strip().lower() == STATS_WORD

    async def work(runtime: Runtime) -> StoredCompare | None:
        if stats:
            figures = await runtime.compare.stats()
            if as_json:
                click.echo(json.dumps([{**asdict(s), "win_rate": s.win_rate} for s in figures]))
            else:
                click.echo(stats_message(figures).text)
            return None
        try:
            ticket = await runtime.compare.admit(
                question, asker=asker, channel="console", fresh=fresh
            )
        except CompareRefusedError as exc:
            raise _cli_error(exc, models=len(runtime.compare.lineup.contestants)) from None
        if as_json or ticket.cached is not None:
            return await runtime.compare.run(ticket)
        if sys.stdout.isatty():
            return await _live_table(runtime, ticket)
        return await _printed_lines(runtime, ticket)

    result = run_with_runtime(work)
    if result is None:
        return
    if as_json:
        click.echo(json.dumps(result.as_dict()))
        return
    if result.cached:
        click.echo(f"Cached: the answers of compare {result.source_id} (--fresh asks again).")
        for answer in result.answers:
            _print_answer(answer)
    for line in ranking_lines(result):
        click.echo(line)
    click.echo(f"Compare {result.id}: bot compare --json, or GET /api/v1/compare/{result.id}.")


def _cli_error(exc: CompareRefusedError, *, models: int) -> click.ClickException:
    """A refusal as the CLI reports it: usage errors (status 2), or the rate limit (1)."""
    if exc.reason == "empty":
        return click.UsageError(
            f'the question is empty: bot compare "QUESTION" [--fresh] [--json] asks {models} '
            "models at once; bot compare --stats shows their win rates"
        )
    if exc.reason == "too_long":
        return click.UsageError(str(exc))
    return click.ClickException(str(exc))


async def _live_table(runtime: Runtime, ticket: CompareTicket) -> StoredCompare:
    rows = {answer.position: answer for answer in ticket.pending()}
    console = Console()
    for note in ticket.lineup.notes:
        console.print(note, style="dim", markup=False)
    with Live(_table(ticket.question, rows.values()), console=console, auto_refresh=False) as live:

        async def arrived(answer: StoredAnswer) -> None:
            rows[answer.position] = answer
            live.update(_table(ticket.question, rows.values()), refresh=True)

        result = await runtime.compare.run(ticket, on_answer=arrived)
        live.update(_table(ticket.question, result.answers), refresh=True)
    return result


async def _printed_lines(runtime: Runtime, ticket: CompareTicket) -> StoredCompare:
    for note in ticket.lineup.notes:
        click.echo(note)

    async def arrived(answer: StoredAnswer) -> None:
        _print_answer(answer)

    return await runtime.compare.run(ticket, on_answer=arrived)


def _print_answer(answer: StoredAnswer) -> None:
    click.echo(f"#{answer.position} {answer.model_id} · {answer_figures(answer)}")
    if answer.text:
        click.echo(answer.text.strip())
    click.echo()


def _table(question: str, answers: Iterable[StoredAnswer]) -> Table:
    table = Table(title=Text(shorten(question, 200)), show_lines=True, expand=True)
    table.add_column("#", justify="right")
    table.add_column("rank", justify="right")
    table.add_column("model", ratio=1, overflow="fold")
    table.add_column("answer", ratio=2)
    for answer in answers:
        # Text, not markup: a model's "[1]" or "[bold]" is shown as written.
        table.add_row(
            Text(str(answer.position)),
            Text("" if answer.rank is None else str(answer.rank)),
            Text(f"{answer.model_id}\n{answer_figures(answer)}"),
            Text(shorten(answer.text, TABLE_ANSWER_CHARS)),
        )
    return table
