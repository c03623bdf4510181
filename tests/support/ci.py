"""Skipping what this machine cannot run, except under CI, where it must run.

Locally a missing PostgreSQL or Chromium skips the tests that need it, with the
reason shown; under ``CI=true`` those tests fail instead, because there a
missing service is a broken pipeline, not a reason to skip.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip the running test with ``reason``, or fail it under ``CI=true``."""
    if IN_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)
