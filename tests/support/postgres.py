"""Where the PostgreSQL tests find their server, and what they do without one.

Locally a missing ``TEST_DATABASE_URL`` skips the PostgreSQL tests; under
``CI=true`` it fails them (`tests.support.ci.skip_or_fail`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.testing.processes import fresh_postgres
from tests.support.ci import skip_or_fail

EXAMPLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """``TEST_DATABASE_URL``; skips (or fails under CI) when it is not set."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        skip_or_fail(f"PostgreSQL tests need TEST_DATABASE_URL, e.g. {EXAMPLE_URL}")
    return url


@asynccontextmanager
async def database_url(kind: str, tmp: Path) -> AsyncIterator[str]:
    """A fresh database of ``kind`` (sqlite, postgresql) for bot processes; skips without one."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp / 'bot.db'}"
        return
    async with fresh_postgres(postgres_url()) as fresh:
        yield fresh
