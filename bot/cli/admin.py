"""``bot migrate`` and ``bot contacts``: looking after the store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from bot.cli.run import parse_address
from bot.runtime import Runtime
from bot.settings import get_settings
from channels.base import Address
from memory.db import Database


@click.command()
def migrate() -> None:
    """Bring the database schema up to date (the app also does this at start)."""

    async def run() -> None:
        db = Database(get_settings().database_url)
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(run())
    click.echo("database is up to date")


@click.group()
def contacts() -> None:
    """Look at, join, export and delete contacts."""


def _address_argument(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.argument(
        name,
        metavar="KIND:VALUE",
        callback=lambda _ctx, _param, value: parse_address(value),
    )


@contacts.command("link")
@_address_argument("first")
@_address_argument("second")
def link(first: Address, second: Address) -> None:
    """Join two identities into one contact, e.g. phone:+15551234567 telegram:12345."""

    async def run() -> str:
        runtime = await Runtime.start(get_settings())
        try:
            async with runtime.db.transaction() as session:
                contact = await runtime.contacts.link(session, first, second)
                addresses = await runtime.contacts.addresses_of(session, contact.id)
            return f"contact {contact.id}: " + ", ".join(f"{k}:{v}" for k, v in addresses)
        finally:
            await runtime.aclose()

    click.echo(asyncio.run(run()))


@contacts.command("show")
@_address_argument("address")
@click.option("--limit", default=20, show_default=True, help="How many recent messages.")
def show(address: Address, limit: int) -> None:
    """Show a contact's identities and recent messages on every channel."""

    async def run() -> None:
        runtime = await Runtime.start(get_settings())
        try:
            async with runtime.db.sessions() as session:
                contact = await runtime.contacts.find(session, address)
                if contact is None:
                    raise click.ClickException(f"no contact has the identity {address}")
                addresses = await runtime.contacts.addresses_of(session, contact.id)
            history = await runtime.conversations.history(contact.id, limit=limit)
        finally:
            await runtime.aclose()
        console = Console(highlight=False)
        name = contact.display_name or "(no name)"
        console.print(f"[bold]contact {contact.id}[/] {name}")
        console.print("identities: " + ", ".join(f"{k}:{v}" for k, v in addresses))
        table = Table("when", "channel", "who", "text")
        for entry in history:
            who = "them" if entry.direction == "in" else f"bot ({entry.agent})"
            table.add_row(f"{entry.created_at:%Y-%m-%d %H:%M}", entry.channel, who, entry.text)
        console.print(table)

    asyncio.run(run())


# Export and delete for good (bot/cli/privacy.py): imported last, it needs nothing above.
from bot.cli.privacy import delete_contact, export_contact  # noqa: E402

contacts.add_command(export_contact)
contacts.add_command(delete_contact)
