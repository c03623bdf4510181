"""``bot bookings``: load the business's bookings and list them.

``bot bookings import FILE`` reads a YAML or CSV file (see
`memory.booking_files`) and creates or updates bookings by reference, each on
the contact its phone or e-mail belongs to. ``bot bookings list`` shows the
bookings of a day or a range of days in the business's time zone.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path

import click

from bot.settings import Settings, get_settings
from memory.booking_files import read_booking_file
from memory.booking_records import BookingView
from memory.bookings import BookingStore
from memory.contacts import ContactDirectory
from memory.db import Database


@click.group()
def bookings() -> None:
    """Load and list the bookings customer care and operations work from."""


@bookings.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Create or update the bookings in FILE (.yml, .yaml or .csv), by reference."""

    async def run(settings: Settings) -> tuple[int, int]:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            store = _store(db, settings)
            records = read_booking_file(file, today=store.today())
            result = await store.import_records(records)
            return len(result.created), len(result.updated)
        finally:
            await db.dispose()

    created, updated = asyncio.run(run(get_settings()))
    click.echo(f"{_bookings(created)} created, {updated} updated from {file}")


def _day(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if value.lower() in {"today", "tomorrow"}:
        return value.lower()  # resolved in the business's time zone
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, today or tomorrow, got {value!r}") from None


def _first_day(day: str, today: date) -> date:
    if day == "today":
        return today
    if day == "tomorrow":
        return today + timedelta(days=1)
    return date.fromisoformat(day)


@bookings.command("list")
@click.option(
    "--date",
    "day",
    default="today",
    show_default=True,
    callback=_day,
    help="First day: YYYY-MM-DD, today or tomorrow.",
)
@click.option("--days", default=1, show_default=True, type=click.IntRange(1, 366))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per booking.")
def list_(day: str, days: int, as_json: bool) -> None:
    """Confirmed bookings from --date for --days days (the business's time zone)."""

    async def run(settings: Settings) -> tuple[date, list[BookingView]]:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            store = _store(db, settings)
            first = _first_day(day, store.today())
            return first, await store.between(first, first + timedelta(days=days - 1))
        finally:
            await db.dispose()

    settings = get_settings()
    first, found = asyncio.run(run(settings))
    if as_json:
        for booking in found:
            click.echo(json.dumps(_as_dict(booking)))
        return
    last = first + timedelta(days=days - 1)
    span = f"{first}" if days == 1 else f"{first} to {last}"
    click.echo(f"{_bookings(len(found))} on {span} ({settings.business_zone()})")
    for booking in found:
        who = booking.contact_name or f"contact {booking.contact_id}"
        click.echo(f"{booking.event_date} {booking.start_time or '--:--'}  {booking.describe()}")
        click.echo(f"    {who}")


def _bookings(count: int) -> str:
    return f"{count} booking" if count == 1 else f"{count} bookings"


def _store(db: Database, settings: Settings) -> BookingStore:
    contacts = ContactDirectory(db, default_region=settings.phone_default_region)
    return BookingStore(db, contacts, time_zone=settings.business_zone())


def _as_dict(booking: BookingView) -> dict[str, object]:
    return {
        "reference": booking.reference,
        "event_date": booking.event_date.isoformat(),
        "start_time": booking.start_time,
        "guests": booking.guests,
        "package": booking.package,
        "location": booking.location,
        "status": booking.status,
        "contact_id": booking.contact_id,
        "contact_name": booking.contact_name,
    }
