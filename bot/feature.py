"""`Feature`: what one feature package adds to the bot.

A feature package (`bot.compare`, `bot.enrich`, ...) describes itself with a
`Feature` in its ``__init__``; `bot.features` lists them once. The HTTP app
includes each one's router, the runtime adds its chat commands to the
registry, and the ``bot`` command lists its subcommands: nothing else names
a feature to wire it in.

The description is cheap to import: ``bot --help`` reads every feature's
subcommands, so a feature's routes and commands are functions that import
their modules when called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.commands.registry import Command
    from bot.runtime import Runtime


@dataclass(frozen=True, slots=True)
class CliCommand:
    """A ``bot`` subcommand: the click command ``attribute`` of ``module``, imported to run."""

    name: str
    module: str
    attribute: str
    #: What ``bot --help`` shows (a test keeps it the command's own first line).
    summary: str


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature: its name and what it adds to the HTTP app, the chat and the CLI."""

    name: str
    #: Its routes, served behind ``API_TOKEN`` like the rest of ``/api/v1``.
    routes: Callable[[], APIRouter] | None = None
    #: Its chat commands, built from the runtime's parts (its service, the orchestrator).
    commands: Callable[[Runtime], Sequence[Command]] | None = None
    #: Its ``bot`` subcommands.
    cli: tuple[CliCommand, ...] = ()
