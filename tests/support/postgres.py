"""Where the PostgreSQL tests find their server, and what they do without one.

Locally a missing ``TEST_DATABASE_URL`` skips the PostgreSQL tests; under
``CI=true`` it fails them, because there a missing PostgreSQL is a broken
pipeline, not a reason to skip.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
EXAMPLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def skip_or_fail(reason: str) -> None:
    """Skip the running test with ``reason``, or fail it under ``CI=true``."""
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def postgres_url() -> str:
    """``TEST_DATABASE_URL``; skips (or fails under CI) when it is not set."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        skip_or_fail(f"PostgreSQL tests need TEST_DATABASE_URL, e.g. {EXAMPLE_URL}")
    return url
