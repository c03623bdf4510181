"""`browser`: one headless Chromium per test session, driven by Playwright's Python API.

Chromium is launched as `bot.testing.browser` says (Debian's package; nothing is
downloaded at test time: ``playwright install`` is never run). Without
/usr/bin/chromium or the playwright package the browser tests skip, saying
why; under CI=true they fail instead (`tests.support.ci.skip_or_fail`).

The browser lives in the session's event loop: browser tests are marked
``pytest.mark.asyncio(loop_scope="session")`` (and ``pytest.mark.browser``),
and start their own servers inside the test. Import the fixture into the
test module (``from tests.support.browser import browser``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest_asyncio

from bot.testing.browser import CHROMIUM, CHROMIUM_ARGS
from bot.testing.processes import ROOT
from tests.support.ci import skip_or_fail

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

#: Looked up once, at import (not in the event loop).
CHROMIUM_INSTALLED = CHROMIUM.exists()
#: Where browser tests save screenshots for review: tests/artifacts (git-ignored), or with
#: UPDATE_SCREENSHOTS=1 docs/img, where the README and docs show them.
SCREENSHOTS = ROOT / ("docs/img" if os.environ.get("UPDATE_SCREENSHOTS") else "tests/artifacts")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium, shared by the session's browser tests."""
    if not CHROMIUM_INSTALLED:
        skip_or_fail(f"browser tests need Debian's chromium package ({CHROMIUM} is absent)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        skip_or_fail("browser tests need the playwright package (pip install playwright)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def screenshot(page: Page, name: str) -> Path:
    """Save the page's viewport as ``<name>.png`` in `SCREENSHOTS`; its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path
