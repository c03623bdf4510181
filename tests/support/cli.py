"""Running the ``bot`` command as a user would: a subprocess in a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.testing.processes import ROOT


def bot_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """This environment without the bot's settings, plus a fresh database and ``settings``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AI_", "DATABASE_"))}
    return {
        **clean,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "PYTHONPATH": str(ROOT),  # this checkout, and the test doubles a function provider names
        **settings,
    }


def run_bot(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    *,
    stdin: str | None = None,
    console_script: bool = False,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` (or the ``bot`` console script) in ``cwd``."""
    command = (
        [str(Path(sys.executable).parent / "bot")]
        if console_script
        else [
            sys.executable,
            "-m",
            "bot",
        ]
    )
    return subprocess.run(
        command + args,
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
