"""``bot followups run|list``: lead follow-ups that are due, and what became of them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import click

from bot.followups.runner import FollowUpOutcome
from bot.runtime import Runtime
from bot.settings import get_settings
from memory.followup_records import PlannedFollowUp
from memory.followups import FollowUpStore


def _moment(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"expected an ISO time like 2027-06-01T15:00Z: {exc}") from None
    # A time without a zone is UTC, like every time the bot stores.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group()
def followups() -> None:
    """Lead follow-ups: send the due ones, list them."""


@followups.command("run")
@click.option("--now", callback=_moment, metavar="ISO", help="Act as if it were this time.")
@click.option("--dry-run", is_flag=True, help="Say what would happen; change and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per follow-up.")
def run(now: datetime | None, dry_run: bool, as_json: bool) -> None:
    """Send the follow-ups due now (or at --now) and print what was sent or skipped, and why.

    Skipped: the contact opted out (SMS STOP), wrote or booked since, or got
    FOLLOWUP_MAX_PER_CONTACT already. Inside QUIET_HOURS (the contact's time
    zone, else BUSINESS_TIME_ZONE) a follow-up moves to the end of them.
    """

    async def go() -> list[FollowUpOutcome]:
        runtime = await Runtime.start(get_settings())
        try:
            assert runtime.followups is not None
            return await runtime.followups.run(now=now, dry_run=dry_run)
        finally:
            await runtime.aclose()

    outcomes = asyncio.run(go())
    for outcome in outcomes:
        if as_json:
            click.echo(json.dumps(_outcome_json(outcome)))
            continue
        line = (
            f"#{outcome.followup_id} contact {outcome.contact_id} ({outcome.channel}): "
            f"{outcome.action} - {outcome.reason}"
        )
        if outcome.text:
            line += f"\n    {outcome.text}"
        click.echo(line)
    if not outcomes and not as_json:
        click.echo("no follow-ups due")


@followups.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "writing", "sending", "sent", "unknown", "skipped", "cancelled"]),
    help="Only follow-ups in this state.",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def list_followups(status: str | None, limit: int) -> None:
    """Follow-ups, latest due first: when, to whom, on which channel, and their state."""

    async def go() -> list[PlannedFollowUp]:
        runtime = await Runtime.start(get_settings())
        try:
            return await FollowUpStore(runtime.db).list(status=status, limit=limit)
        finally:
            await runtime.aclose()

    rows = asyncio.run(go())
    for row in rows:
        click.echo(
            f"#{row.id} contact {row.contact_id} {row.channel} due {row.due_at:%Y-%m-%d %H:%M} "
            f"UTC {row.status}" + (f" - {row.reason}" if row.reason else "")
        )
    if not rows:
        click.echo("no follow-ups")


def _outcome_json(outcome: FollowUpOutcome) -> dict[str, object]:
    return {
        "id": outcome.followup_id,
        "contact_id": outcome.contact_id,
        "channel": outcome.channel,
        "action": outcome.action,
        "reason": outcome.reason,
        "text": outcome.text,
        "due_at": outcome.due_at.isoformat() if outcome.due_at else None,
    }
