"""How tests and benches launch headless Chromium: Debian's package, driven by Playwright.

Debian's ``chromium`` package is the browser (``executable_path``); nothing is
downloaded (``playwright install`` is never run).
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
#: Quiet, offline, sandbox-free (containers): the browser reaches only the servers it is sent to.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
