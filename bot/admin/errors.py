"""Errors on console pages as pages: a person in a browser reads HTML, not the API's JSON.

Everywhere else the API's one error shape stays (`bot.http.common`). A redirect
(the 303 to the login form) keeps its ``Location``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.admin.session import CONSOLE_PATH
from bot.admin.views import render
from bot.http.common import http_error, validation_error


def _in_console(request: Request) -> bool:
    path = request.url.path
    return path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/")


async def http_error_page(request: Request, exc: Exception) -> Response:
    """An `HTTPException` on a console page as a page; elsewhere the API's JSON."""
    assert isinstance(exc, StarletteHTTPException)
    if not _in_console(request) or 300 <= exc.status_code < 400:
        return await http_error(request, exc)
    page = render("error.html", status=exc.status_code, message=str(exc.detail))
    for name, value in (exc.headers or {}).items():
        page.headers[name] = value
    return page


async def validation_error_page(request: Request, exc: Exception) -> Response:
    """A console URL with a bad id or parameter as a page; elsewhere the API's JSON."""
    assert isinstance(exc, RequestValidationError)
    if not _in_console(request):
        return await validation_error(request, exc)
    wrong = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
    return render("error.html", status=422, message=f"This address is not valid ({wrong}).")
