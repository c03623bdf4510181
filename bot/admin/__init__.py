"""The team console at ``/admin``: conversations, handoffs, compares and costs in a browser.

Server-rendered pages (Jinja2) with htmx served from this package (no CDN, no
build step). `mount_console` adds the routes and the static files to the app.
See docs/admin.md.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

from bot.admin import compares, conversations, costs, handoffs, login
from bot.admin.session import CONSOLE_PATH
from bot.admin.views import STATIC_DIR


def console_router() -> APIRouter:
    """Every page of the console, under ``/admin``; none is in the API's OpenAPI schema."""
    router = APIRouter(prefix=CONSOLE_PATH, include_in_schema=False)
    for feature in (login, conversations, handoffs, compares, costs):
        router.include_router(feature.router)

    @router.get("")
    @router.get("/")
    async def home() -> RedirectResponse:
        return RedirectResponse(f"{CONSOLE_PATH}/handoffs", status_code=303)

    return router


def mount_console(app: FastAPI) -> None:
    """Serve the console and its static files (htmx, style sheet, script) on ``app``."""
    app.include_router(console_router())
    app.mount(f"{CONSOLE_PATH}/static", StaticFiles(directory=STATIC_DIR), name="admin-static")
