"""Handing a conversation to a person, and asking first when the route is unsure.

- `desk`: `HandoffDesk`, which holds a conversation for the team and hands it back.
- `clarify`: answer, ask one clarifying question, or hand to a person.
- `command`: the team's chat commands for handoffs.
- `ops_channel`: `OpsChannel`, the team's Slack channel where handoffs (and alerts) land.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Feature

if TYPE_CHECKING:
    from bot.commands.registry import Command
    from bot.runtime import Runtime

# Imported when the app or the runtime asks, not with the package: `bot --help` reads FEATURE.


def _commands(runtime: Runtime) -> list[Command]:
    from bot.handoff.command import handoff_commands

    return handoff_commands(runtime.orchestrator.handoffs)


FEATURE = Feature(name="handoff", commands=_commands)
