"""The bot as channel tests run it: a runtime from settings, served over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from agents.providers.base import ModelProvider
from bot.http.app import create_app
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.testing import serve_in_background
from memory.db import Database


@asynccontextmanager
async def running_runtime(
    database: Database, provider: ModelProvider, **settings: Any
) -> AsyncIterator[Runtime]:
    """A runtime on ``database`` (which the caller owns) with ``settings`` (channel credentials)."""
    # As the `settings` fixture: channel tests are not about routing (no clarifying
    # questions, no sentence vectors); tests about routing pass both explicitly.
    options = {
        "database_url": database.url,
        "router_min_confidence": 0.0,
        "router_embeddings": False,
        **settings,
    }
    runtime = await Runtime.start(
        load_settings(_env_file=None, **options), provider=provider, db=database
    )
    try:
        yield runtime
    finally:
        await runtime.aclose(drain_seconds=10, keep_database=True)


@asynccontextmanager
async def http_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The app of ``runtime`` served on loopback, and a client for it."""
    async with (
        serve_in_background(create_app(runtime=runtime)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
    ):
        yield http
