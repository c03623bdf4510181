"""/compare: ask several models the same question at once, rank and store the answers.

SCAFFOLD: the compare helper replaces this module (see the issue 5 brief).
"""

from __future__ import annotations

from typing import Any

from bot.commands.registry import Command


class CompareService:
    """Runs, ranks, caches and stores compares; every channel and the API use it."""

    def __init__(self, **parts: Any) -> None:
        self.parts = parts

    @classmethod
    def from_settings(cls, settings: Any, **parts: Any) -> CompareService:
        """The service the settings describe, on the runtime's shared parts."""
        return cls(settings=settings, **parts)

    async def aclose(self) -> None:
        """Release what the service holds."""


def compare_commands(service: CompareService) -> list[Command]:
    """The /compare command and its buttons."""
    return []
