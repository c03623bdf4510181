"""The ``bot`` command: chat, ask, serve, worker, migrate, contacts, costs, export, telegram.

Every failure the user can fix (a bad setting, a missing model file, an
unreachable database) ends with one line on stderr and exit status 2.

Subcommands are imported when they run, not to list them: importing them all
(FastAPI, SQLAlchemy, the agents) took over a second, and ``bot --help`` and
``bot --version`` need none of it.
"""

from __future__ import annotations

import sys

import click

from agents.errors import AgentError
from bot.cli.lazy import LazyGroup
from bot.errors import BotError
from bot.features import feature_cli
from bot.log_setup import cli_log_level, configure_logging
from channels.errors import ChannelError
from memory.errors import MemoryStoreError

#: name → (module, attribute, the summary ``bot --help`` shows; a test keeps it true).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ask": ("bot.cli.conversation", "ask", "Ask one question, print the answer, exit."),
    "bookings": (
        "bot.cli.bookings",
        "bookings",
        "Load and list the bookings.",
    ),
    "chat": ("bot.cli.conversation", "chat", "Talk to the bot in this terminal."),
    "contacts": ("bot.cli.admin", "contacts", "Look at, join, export and delete contacts."),
    "costs": ("bot.cli.costs", "costs", "Model and SMS spend today and this month."),
    "db": (
        "bot.cli.db",
        "db",
        "Look after the database over time (retention, moving to PostgreSQL).",
    ),
    "export": ("bot.cli.export", "export", "Export what the bot learned, as training data."),
    "kb": ("bot.cli.kb", "kb", "The business's documents the agents answer from."),
    "migrate": ("bot.cli.admin", "migrate", "Bring the database schema up to date."),
    "models": ("bot.cli.models", "models", "The models this bot is configured with."),
    "route": ("bot.cli.route", "route", "Route messages from stdin to agents; print JSON lines."),
    "serve": ("bot.cli.serve", "serve", "Serve the channel webhooks, /healthz and the HTTP API."),
    "telegram": ("bot.cli.telegram", "telegram", "Tell Telegram where to send the bot's updates."),
    "worker": (
        "bot.cli.worker",
        "worker",
        "Answer stored messages, send follow-ups, run commands.",
    ),
    # bot compare, bot enrich, bot followups: each feature package lists its own.
    **feature_cli(),
}


@click.group(
    cls=LazyGroup, commands_table=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(
    None, "-V", "--version", package_name="frontdesk-bot", message="bot %(version)s"
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Log at INFO at least; bot chat logs here, not to bot-chat.log.",
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """A multi-channel AI front desk and team assistant.

    LOG_LEVEL (INFO by default) sets what is logged, to stderr.
    """
    ctx.obj = {"verbose": verbose}
    # Phone numbers, e-mails and card numbers never reach a log line.
    configure_logging(cli_log_level(verbose=verbose))


def main() -> None:
    """Entry point of the ``bot`` console script and ``python -m bot``."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.exceptions.Exit as exc:  # --version, --help
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (BotError, AgentError, MemoryStoreError, ChannelError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # e.g. the database file's folder is not writable
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
