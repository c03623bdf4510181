"""``bot costs``: what the models and SMS cost today and this month, against the budget."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from bot.settings import Settings, get_settings
from memory.db import Database
from memory.models import utcnow
from memory.send_costs import SendSpend
from memory.spend import Spend, SpendLedger, SpendReport, day_bounds, month_bounds, parse_month


def money(amount: float) -> str:
    """Dollars to the cent from $1 up; to the millionth below, where model calls live."""
    if amount == 0:
        return "$0"
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.6f}"


def budget_used_pct(spent: float, budget: float) -> float | None:
    """Percent of the monthly budget spent; None for a budget of 0 (no percentage of nothing)."""
    return round(spent / budget * 100, 6) if budget > 0 else None


def _month(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    try:
        return parse_month(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option(
    "--month",
    metavar="YYYY-MM",
    callback=_month,
    help="Report this month instead of the current one.",
)
def costs(as_json: bool, month: datetime | None) -> None:
    """Model and SMS spend today and this month, by provider, model and agent (days and
    months in UTC); the budget counts both.

    Calls to models missing from the price table have no known cost: they are
    counted apart, never added as $0. An SMS is estimated at
    SMS_PRICE_PER_SEGMENT_USD per segment until Twilio reports its price.
    """
    settings = get_settings()
    now = utcnow()
    today, today_sends, period = asyncio.run(_read(settings, now, month or now))
    summary = _summary(settings, now, month or now, (today, today_sends), period)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        _print(summary)


async def _read(
    settings: Settings, now: datetime, month: datetime
) -> tuple[Spend, list[SendSpend], SpendReport]:
    db = Database(settings.database_url)
    try:
        await db.migrate()  # a fresh database reports zeros rather than missing tables
        ledger = SpendLedger(db)
        today = day_bounds(now)
        return (
            await ledger.total(*today),
            await ledger.sends(*today),
            await ledger.report(*month_bounds(month)),
        )
    finally:
        await db.dispose()


def _summary(
    settings: Settings,
    now: datetime,
    month: datetime,
    today: tuple[Spend, list[SendSpend]],
    report: SpendReport,
) -> dict[str, Any]:
    """What `bot costs` shows, as plain data: the JSON output and what the tables print.

    ``cost_usd`` is the models' (as it always was); ``sends`` lists the paid
    channels' (SMS) and ``total_cost_usd`` adds both: the budget's figure.
    """
    budget = settings.monthly_budget_usd

    def totals(spend: Spend, sends: list[SendSpend]) -> dict[str, Any]:
        total = spend.cost_usd + sum(s.cost_usd for s in sends)
        return {
            **{k: v for k, v in spend.as_dict().items() if k != "name"},
            "sends": [s.as_dict() for s in sends],
            "total_cost_usd": round(total, 9),
        }

    return {
        "timezone": "UTC",
        # The estimate of an SMS segment until Twilio reports its price.
        "sms_price_per_segment_usd": settings.sms_price_per_segment_usd,
        "today": {"date": f"{now:%Y-%m-%d}", **totals(*today)},
        "month": {
            "month": f"{month:%Y-%m}",
            **totals(report.total, report.sends),
            "budget_usd": budget,
            "budget_used_pct": budget_used_pct(report.cost_usd, budget),
            "hard_cap": settings.budget_hard_cap,
        },
        "by_provider": [s.as_dict() for s in report.by_provider],
        "by_model": [s.as_dict() for s in report.by_model],
        "by_agent": [s.as_dict() for s in report.by_agent],
        "by_role": [s.as_dict() for s in report.by_role],
    }


def _calls(count: int) -> str:
    return f"{count:,} call" if count == 1 else f"{count:,} calls"


def _line(figures: dict[str, Any]) -> str:
    text = (
        f"{money(figures['cost_usd'])} · {_calls(figures['calls'])} · "
        f"{figures['input_tokens']:,} in + {figures['output_tokens']:,} out tokens"
    )
    if figures["reasoning_tokens"]:  # part of "out": reasoning models bill it as output
        text += f" ({figures['reasoning_tokens']:,} of them reasoning)"
    if figures["unknown_cost_calls"]:
        text += f" · [yellow]{_calls(figures['unknown_cost_calls'])} of unknown cost[/]"
    return text


def _sends_line(sends: dict[str, Any], price: float) -> str:
    segments = sends["segments"]
    text = (
        f"{money(sends['cost_usd'])} · {sends['messages']:,} sent · "
        f"{segments:,} segment{'' if segments == 1 else 's'}"
    )
    if sends["estimated_messages"]:
        text += f" · {sends['estimated_messages']:,} estimated at {money(price)}/segment"
    return text


def _print(summary: dict[str, Any]) -> None:
    console = Console(highlight=False)
    today, month = summary["today"], summary["month"]
    price = summary["sms_price_per_segment_usd"]
    # soft_wrap: a summary line runs on rather than breaking mid-phrase at 80 columns.
    for label, period, figures in (
        ("today", today["date"], today),
        ("month", month["month"], month),
    ):
        console.print(f"[bold]{label}[/] {period} (UTC): {_line(figures)}", soft_wrap=True)
        for sends in figures["sends"]:
            console.print(f"  {sends['name']} sends: {_sends_line(sends, price)}", soft_wrap=True)
        if figures["sends"]:
            console.print(f"  total: {money(figures['total_cost_usd'])}", soft_wrap=True)
    used = month["budget_used_pct"]
    cap = "hard cap on" if month["hard_cap"] else "hard cap off"
    if used is None:
        console.print(f"[bold]budget[/] none (MONTHLY_BUDGET_USD=0), {cap}")
    else:
        style = "red" if used >= 100 else "yellow" if used >= 80 else "green"
        console.print(
            f"[bold]budget[/] [{style}]{used:.2f}%[/] of {money(month['budget_usd'])} used, {cap}"
        )
    if not summary["by_model"]:
        console.print(f"no model calls in {month['month']}")
    for key, title in (("by_provider", "provider"), ("by_model", "model"), ("by_agent", "agent")):
        if summary[key]:
            console.print(_table(f"{month['month']} by {title}", title, summary[key]))


def _table(caption: str, title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=caption, title_justify="left")
    # Names wrap rather than end in an ellipsis: a cut model id is a wrong one.
    table.add_column(title, overflow="fold")
    for column in ("calls", "tokens in", "tokens out", "cost", "no price"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        unknown = row["unknown_cost_calls"]
        table.add_row(
            row["name"],
            f"{row['calls']:,}",
            f"{row['input_tokens']:,}",
            f"{row['output_tokens']:,}",
            # A model with no price has no cost to show: "unknown", never "$0".
            "unknown" if unknown == row["calls"] else money(row["cost_usd"]),
            _calls(unknown) if unknown else "",
        )
    return table
