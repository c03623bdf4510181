"""``bot contacts export`` and ``bot contacts delete``: a person's data, out or gone.

Both take a contact id (as ``bot contacts show`` and the API print it) or one
of the person's identities (``phone:+15551234567``). They need the database
only: no model is loaded.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from bot.cli.run import parse_address
from bot.settings import get_settings
from memory.contacts import ContactDirectory
from memory.db import Database
from memory.privacy import ContactNotFoundError, ContactPrivacy

T = TypeVar("T")


def _with_contact(who: str, work: Callable[[ContactPrivacy, int], Awaitable[T]]) -> T:
    """Run ``work`` with the id ``who`` names (an id, or kind:value of an identity)."""
    settings = get_settings()

    async def run() -> T:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            if who.isdigit():
                contact_id = int(who)
            else:
                address = parse_address(who)
                directory = ContactDirectory(db, default_region=settings.phone_default_region)
                async with db.sessions() as session:
                    contact = await directory.find(session, address)
                if contact is None:
                    raise click.ClickException(f"no contact has the identity {address}")
                contact_id = contact.id
            try:
                return await work(ContactPrivacy(db), contact_id)
            except ContactNotFoundError as exc:
                raise click.ClickException(str(exc)) from None
        finally:
            await db.dispose()

    return asyncio.run(run())


@click.command("export")
@click.argument("who", metavar="ID|KIND:VALUE")
@click.option(
    "-o",
    "--out",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_contact(who: str, output: Path | None) -> None:
    """Write everything held about a contact as JSON."""
    data = _with_contact(who, lambda privacy, contact_id: privacy.export(contact_id))
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    rows = sum(
        len(v) for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)
    )
    click.echo(f"contact {data['contact_id']}: {rows} rows written to {output}", err=True)


@click.command("delete")
@click.argument("who", metavar="ID|KIND:VALUE")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_contact(who: str, yes: bool) -> None:
    """Delete a contact's messages, identities, enrichment and feedback for good."""

    async def delete(privacy: ContactPrivacy, contact_id: int) -> tuple[int, dict[str, int]]:
        if not yes:
            summary = await privacy.export(contact_id)
            [contact] = [c for c in summary["contacts"] if c["id"] == summary["contact_id"]]
            names = ", ".join(f"{i['kind']}:{i['external_id']}" for i in summary["identities"])
            click.echo(
                f"contact {summary['contact_id']} {contact['display_name'] or '(no name)'}: "
                f"{names or 'no identities'}; {len(summary['messages'])} messages"
            )
            # Off the event loop: click.confirm blocks on the terminal.
            if not await asyncio.to_thread(
                click.confirm, "Delete everything about this contact for good?"
            ):
                # A "no" is an answer, not an interruption (130): say so, status 1.
                raise click.ClickException(f"contact {contact_id} not deleted: you answered no")
        person = await _person_id(privacy, contact_id)
        return person, await privacy.delete(contact_id)

    contact_id, counts = _with_contact(who, delete)
    click.echo(f"deleted contact {contact_id}:")
    for table, count in counts.items():
        click.echo(f"  {table}: {count}")


async def _person_id(privacy: ContactPrivacy, contact_id: int) -> int:
    async with privacy.db.sessions() as session:
        return (await privacy.person(session, contact_id)).contact_id
