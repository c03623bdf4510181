"""The reference in ``docs/``: it builds without a warning and names every setting.

``mkdocs build --strict`` (with ``validation`` in ``mkdocs.yml`` set to warn on
unknown links and anchors) fails on a broken link between pages, a missing
anchor or a page left out of the nav; the README links into these pages.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _mkdocs() -> list[str]:
    """The mkdocs of this interpreter's environment (the dev extra), else the one on PATH."""
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        found = shutil.which("mkdocs")
        if found is None:
            pytest.skip('mkdocs is not installed: pip install -e ".[dev]"')
        return [found]
    return [sys.executable, "-m", "mkdocs"]


def test_mkdocs_builds_the_docs_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [*_mkdocs(), "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "settings" / "index.html").exists()


def test_every_page_in_docs_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(p.name for p in DOCS.glob("*.md"))
    assert pages and [p for p in pages if f": {p}" not in nav] == []


def test_the_settings_page_names_every_setting() -> None:
    page = (DOCS / "settings.md").read_text()
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", page))
    missing = [name.upper() for name in Settings.model_fields if name.upper() not in named]
    assert missing == [], f"add these to docs/settings.md: {missing}"


def test_the_readme_links_only_to_pages_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links, "the README should point at the reference in docs/"
    assert [link for link in links if not (ROOT / link).is_file()] == []
    # Every reference page is reachable from the README's Documentation list.
    listed = {Path(link).name for link in links}
    assert {p.name for p in DOCS.glob("*.md")} - {"index.md"} <= listed
