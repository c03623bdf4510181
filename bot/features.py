"""The bot's features, listed once (see `bot.feature.Feature`).

Adding a feature is a package with a ``FEATURE`` and a line here; the app,
the command registry and the ``bot`` command pick up what it adds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import bot.compare
import bot.enrich
import bot.followups
import bot.handoff
from bot.feature import Feature

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.commands.registry import Command
    from bot.runtime import Runtime

FEATURES: tuple[Feature, ...] = (
    bot.compare.FEATURE,
    bot.enrich.FEATURE,
    bot.followups.FEATURE,
    bot.handoff.FEATURE,
)


def feature_routers() -> list[APIRouter]:
    """Every feature's router, for the app to include."""
    return [feature.routes() for feature in FEATURES if feature.routes is not None]


def feature_commands(runtime: Runtime) -> list[Command]:
    """Every feature's chat commands, for the registry."""
    return [
        command
        for feature in FEATURES
        if feature.commands is not None
        for command in feature.commands(runtime)
    ]


def feature_cli() -> dict[str, tuple[str, str, str]]:
    """Every feature's ``bot`` subcommands, as the CLI's lazy table.

    name → (module, attribute, summary).
    """
    return {
        command.name: (command.module, command.attribute, command.summary)
        for feature in FEATURES
        for command in feature.cli
    }
