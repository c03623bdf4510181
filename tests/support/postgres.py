"""Where the PostgreSQL tests find their server, and what they do without one.

Locally a missing ``TEST_DATABASE_URL`` skips the PostgreSQL tests; under
``CI=true`` it fails them (`tests.support.ci.skip_or_fail`).
"""

from __future__ import annotations

import os

from tests.support.ci import skip_or_fail

EXAMPLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """``TEST_DATABASE_URL``; skips (or fails under CI) when it is not set."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        skip_or_fail(f"PostgreSQL tests need TEST_DATABASE_URL, e.g. {EXAMPLE_URL}")
    return url
