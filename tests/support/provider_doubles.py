"""Small helpers for provider tests: a recording `sleep`, and reading a stream to its end."""

from __future__ import annotations

from collections.abc import AsyncIterator

from agents.providers.base import Completion


class Sleeps(list[float]):
    """A `sleep` for RemoteProvider that records the waits instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def collect(events: AsyncIterator[object]) -> tuple[list[str], Completion]:
    """The text deltas of a provider stream and its final `Completion`."""
    deltas: list[str] = []
    async for event in events:
        if isinstance(event, Completion):
            return deltas, event
        deltas.append(str(event))
    raise AssertionError("the stream ended without a Completion")
