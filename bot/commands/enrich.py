"""/enrich: research a contact and score them as a lead.

SCAFFOLD: the enrich helper replaces this module (see the issue 5 brief).
"""

from __future__ import annotations

from typing import Any

from bot.commands.registry import Command


class EnrichService:
    """Finds, researches, scores and stores contacts; every channel and the API use it."""

    def __init__(self, **parts: Any) -> None:
        self.parts = parts

    @classmethod
    def from_settings(cls, settings: Any, **parts: Any) -> EnrichService:
        """The service the settings describe, on the runtime's shared parts."""
        return cls(settings=settings, **parts)

    async def aclose(self) -> None:
        """Release what the service holds."""


def enrich_commands(service: EnrichService) -> list[Command]:
    """The /enrich command."""
    return []
