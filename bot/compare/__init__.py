"""/compare: one question to several models at once, ranked, voted on and stored.

- `service`: `CompareService`, what the chat command, the HTTP API and the CLI share.
- `admission`, `stored`: who may ask now; the stored form of a comparison.
- `command`, `render`: the chat command and how its results read.
- `routes`: ``/api/v1/compare``. `cli`: ``bot compare``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import CliCommand, Feature

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.commands.registry import Command
    from bot.runtime import Runtime

# Imported when the app or the runtime asks, not with the package: `bot --help` reads FEATURE.


def _routes() -> APIRouter:
    from bot.compare.routes import router

    return router


def _commands(runtime: Runtime) -> list[Command]:
    from bot.compare.command import compare_commands

    return compare_commands(runtime.compare)


FEATURE = Feature(
    name="compare",
    routes=_routes,
    commands=_commands,
    cli=(
        CliCommand(
            "compare", "bot.compare.cli", "compare", "Ask QUESTION of several models at once."
        ),
    ),
)
