"""`admin_browser`: one headless Chromium per test session, driven by Playwright's Python API.

Debian's ``chromium`` package is the browser (``executable_path``); nothing is
downloaded at test time (``playwright install`` is never run). Without
/usr/bin/chromium or the playwright package the browser tests skip, saying
why; under CI=true they fail instead (`tests.support.postgres.skip_or_fail`).

Browser tests run in the session's event loop, where the browser lives:
mark them ``pytest.mark.asyncio(loop_scope="session")``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest_asyncio

from tests.support.postgres import skip_or_fail

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
#: Looked up once, at import (not in the event loop).
CHROMIUM_INSTALLED = CHROMIUM.exists()
#: Quiet, offline, sandbox-free (containers): the browser reaches only the test's servers.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def admin_browser() -> AsyncIterator[Browser]:
    """Headless Chromium, shared by the session's browser tests."""
    if not CHROMIUM_INSTALLED:
        skip_or_fail(f"browser tests need Debian's chromium package ({CHROMIUM} is absent)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        skip_or_fail("browser tests need the playwright package (pip install playwright)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()
