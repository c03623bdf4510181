"""Running async CLI commands against a `Runtime`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from bot.runtime import Runtime
from bot.settings import get_settings
from channels.base import Address, Channel

T = TypeVar("T")


def run_with_runtime(
    work: Callable[[Runtime], Awaitable[T]], *, channels: dict[str, Channel] | None = None
) -> T:
    """Start a runtime from the settings, run ``work`` on it, close it."""

    async def main() -> T:
        # The CLI's own answers go to this terminal: they run here, not on a worker.
        runtime = await Runtime.start(get_settings(), channels=channels, engine="local")
        try:
            return await work(runtime)
        finally:
            await runtime.aclose()

    return asyncio.run(main())


def parse_address(value: str) -> Address:
    """Click callback helper: ``kind:value`` or a clean usage error."""
    try:
        return Address.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
