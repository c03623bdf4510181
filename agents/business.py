"""`BusinessProfile`: who the bot works for, read from a folder of plain files.

The folder holds ``business.yml`` (name, summary, contact line, time zone) and
any number of Markdown notes (pricing, policies, FAQ) the agents may quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from agents.lead_nurturing.pricing import PriceList


@dataclass(frozen=True, slots=True)
class BusinessProfile:
    """The business's name and the facts its agents may rely on."""

    name: str
    summary: str = ""
    contact_line: str = ""
    timezone: str = "UTC"
    notes: tuple[tuple[str, str], ...] = ()  # (file stem, Markdown text)
    #: ``pricing.yml``: quotes are worked out from it (None: no quotes, only the notes).
    pricing: PriceList | None = None

    @classmethod
    def from_folder(cls, folder: Path) -> BusinessProfile:
        """Read ``business.yml``, every ``*.md`` note and ``pricing.yml`` in ``folder``.

        A ``pricing.yml`` that disagrees with ``pricing.md`` raises `PriceListError`.
        """
        profile_file = folder / "business.yml"
        if not profile_file.is_file():
            raise FileNotFoundError(f"no business.yml in {folder}")
        data = yaml.safe_load(profile_file.read_text(encoding="utf-8")) or {}
        if not data.get("name"):
            raise ValueError(f"{profile_file} must give the business a name")
        notes = tuple(
            (path.stem, path.read_text(encoding="utf-8").strip())
            for path in sorted(folder.glob("*.md"))
        )
        return cls(
            name=str(data["name"]),
            summary=str(data.get("summary", "")).strip(),
            contact_line=str(data.get("contact_line", "")).strip(),
            timezone=str(data.get("timezone", "UTC")),
            notes=notes,
            pricing=PriceList.from_folder(folder),
        )
