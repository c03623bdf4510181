"""The widget's script (``/web/widget.js``) and the demo page (``/chat``), served locally.

Both are files in ``static/``, read once; nothing comes from a CDN. The
script may be embedded by any site (it is public), but only the origins in
WEB_CHAT_ORIGINS may use the API it talks to.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import Response

STATIC = Path(__file__).parent / "static"
WIDGET_PATH = "/web/widget.js"
DEMO_PATH = "/chat"


@cache
def _read(name: str) -> bytes:
    return (STATIC / name).read_bytes()


async def widget() -> Response:
    """The widget's script; cached for an hour by browsers and proxies."""
    return Response(
        _read("widget.js"),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


async def demo_page() -> Response:
    """The demo page: the widget on a page of the bot's own origin."""
    return Response(
        _read("chat.html"),
        media_type="text/html; charset=utf-8",
        headers={
            # The page runs only its own script; the widget speaks only to this origin.
            "Content-Security-Policy": (
                "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'"
            ),
            "X-Content-Type-Options": "nosniff",
        },
    )
