"""The console's Jinja2 templates and filters.

Autoescaped: customer and model text is shown as text, never as HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.admin.session import TeamMember
from bot.cli.costs import money

HERE = Path(__file__).parent
#: The console's own files: htmx, its style sheet and script (no CDN: offline sites work).
STATIC_DIR = HERE / "static"

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(moment: datetime | None) -> str:
    """A stored (UTC) time as ``2026-12-03 09:15 UTC``."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _cost(amount: float | None) -> str:
    return "unknown" if amount is None else money(amount)


def _short(text: str, length: int = 120) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


_env.filters.update(when=_when, money=_cost, short=_short)


def render(
    template: str,
    *,
    member: TeamMember | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` with ``context``; ``member`` fills the header and CSRF fields."""
    page = _env.get_template(template).render(member=member, **context)
    # The console's pages hold customer data: never cached, never framed by another site.
    headers = {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "frame-ancestors 'none'",
        "Referrer-Policy": "same-origin",
    }
    return HTMLResponse(page, status_code=status, headers=headers)
