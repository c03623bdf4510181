"""A click group that imports a subcommand's module only when that subcommand runs."""

from __future__ import annotations

import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    """Subcommands named in a table of (module, attribute, summary).

    ``bot --help`` lists the summaries without importing anything; ``bot chat``
    imports `bot.cli.conversation` alone.
    """

    def __init__(
        self, *args: Any, commands_table: dict[str, tuple[str, str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.table = commands_table

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.table, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in self.table:
            return None
        module, attribute, _ = self.table[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The summaries from the table: listing the commands imports none of them."""
        rows = [(name, self.table[name][2]) for name in sorted(self.table)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
