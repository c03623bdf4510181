"""/enrich: research a contact (or a CSV file of them) and score the lead.

- `service`: `EnrichService`, what the chat command, the HTTP API and the batch share.
- `command`: the chat command; `target`: what to research.
- `render`: how a result reads; `batch`, `batch_csv`: a CSV file of targets.
- `routes`: ``/api/v1/enrich``. `cli`: ``bot enrich``.
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
    from bot.enrich.routes import router

    return router


def _commands(runtime: Runtime) -> list[Command]:
    from bot.enrich.command import enrich_commands

    return enrich_commands(runtime.enrich)


FEATURE = Feature(
    name="enrich",
    routes=_routes,
    commands=_commands,
    cli=(
        CliCommand(
            "enrich",
            "bot.enrich.cli",
            "enrich",
            "Research TARGET (a name, e-mail, phone or #id) or a CSV file.",
        ),
    ),
)
