"""The ``bot`` command: chat, ask, serve, worker, migrate, contacts, costs, export, telegram.

Every failure the user can fix (a bad setting, a missing model file, an
unreachable database) ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import sys

import click

from agents.errors import AgentError
from bot.cli.admin import contacts, migrate
from bot.cli.bookings import bookings
from bot.cli.compare import compare
from bot.cli.conversation import ask, chat
from bot.cli.costs import costs
from bot.cli.db import db
from bot.cli.enrich import enrich
from bot.cli.export import export
from bot.cli.followups import followups
from bot.cli.kb import kb
from bot.cli.models import models
from bot.cli.route import route
from bot.cli.serve import serve
from bot.cli.telegram import telegram
from bot.cli.worker import worker
from bot.errors import BotError
from bot.log_setup import configure_logging
from channels.errors import ChannelError
from memory.errors import MemoryStoreError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what the bot does (to stderr).")
def cli(verbose: bool) -> None:
    """A multi-channel AI front desk and team assistant."""
    # To stderr; phone numbers, e-mails and card numbers never reach a log line.
    configure_logging("INFO" if verbose else "WARNING")


for command in (chat, ask, serve, migrate, contacts, costs, export, telegram, enrich, compare):
    cli.add_command(command)
cli.add_command(route)
cli.add_command(bookings)
cli.add_command(followups)
cli.add_command(kb)
cli.add_command(models)
cli.add_command(worker)
cli.add_command(db)


def main() -> None:
    """Entry point of the ``bot`` console script and ``python -m bot``."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (BotError, AgentError, MemoryStoreError, ChannelError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # e.g. the database file's folder is not writable
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
