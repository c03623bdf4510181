"""`FakeVendor`: serve one fake vendor app on a free loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.http.background_server import serve_in_background
from tests.support.fake_vendors.script import Reply, Script


@dataclass
class FakeVendor:
    """A running fake: its base URL (what the SDK is given) and its script."""

    url: str
    base_url: str
    script: Script

    def then(self, *replies: Reply) -> FakeVendor:
        """Queue replies for the next requests."""
        self.script.then(*replies)
        return self

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request body received, in order."""
        return self.script.requests


@asynccontextmanager
async def run_fake(
    make_app: Callable[[Script], Any], *, path: str = "", default: Reply | None = None
) -> AsyncIterator[FakeVendor]:
    """Serve ``make_app(script)``; yield a `FakeVendor` whose base URL ends in ``path``."""
    script = Script(default)
    async with serve_in_background(make_app(script)) as url:
        try:
            yield FakeVendor(url=url, base_url=url + path, script=script)
        finally:
            script.released.set()
