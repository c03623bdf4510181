"""``/admin/login`` and ``/admin/logout``: the shared token exchanged for a session cookie.

Why a shared token rather than e-mailed magic links: a small business has no
SMTP server set up on its first day, and the console must work then. The
login form also asks who is logging in, so every reply and vote is recorded
with a name; magic links per team member can come later (docs/admin.md).
"""

from __future__ import annotations

import hmac
import logging
import math
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from bot.admin.security import PostedForm, check_origin, read_form, tokens_match
from bot.admin.session import (
    CONSOLE_PATH,
    LOGIN_COOKIE,
    LOGIN_FORM_SECONDS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    login_csrf,
    login_form_token,
    new_session,
    set_cookie,
)
from bot.admin.throttle import LoginThrottle
from bot.admin.views import render

log = logging.getLogger(__name__)

router = APIRouter()

MAX_NAME_CHARS = 80
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a console path only (no open redirect)."""
    if (
        target
        and target.startswith(CONSOLE_PATH + "/")
        and not target.startswith("//")
        and "\\" not in target
        and not target.startswith(f"{CONSOLE_PATH}/login")
    ):
        return target
    return f"{CONSOLE_PATH}/handoffs"


def _throttle(request: Request) -> LoginThrottle:
    """The app's count of wrong tokens (one per app: tests' apps do not share it)."""
    state = request.app.state
    if getattr(state, "login_throttle", None) is None:
        state.login_throttle = LoginThrottle()
    return state.login_throttle


def _token(request: Request) -> str | None:
    return request.app.state.runtime.settings.admin_api_token


def _login_page(
    request: Request, *, next_path: str, error: str | None = None, status: int = 200, **values: str
) -> Response:
    token = _token(request)
    if not token:
        return render("login.html", off=True, status=403 if status == 200 else status)
    csrf, cookie = login_form_token(token)
    page = render(
        "login.html", csrf=csrf, next=next_path, error=error, status=status, values=values
    )
    set_cookie(page, request, LOGIN_COOKIE, cookie, LOGIN_FORM_SECONDS)
    return page


@router.get("/login")
async def login_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    """The login form: the shared token, and the team member's name and e-mail."""
    return _login_page(request, next_path=_safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the token; on success set the session cookie and go where the member was headed."""
    token = _token(request)
    if not token:
        return render("login.html", off=True, status=403)
    check_origin(request)
    form = await read_form(request)
    next_path = _safe_next(form.get("next"))
    if not tokens_match(form.get("csrf"), login_csrf(request, token) or "\x00"):
        return _login_page(
            request,
            next_path=next_path,
            error="The form had expired. Please log in again.",
            status=403,
        )
    name = " ".join(form.get("name", "").split())[:MAX_NAME_CHARS]
    email = form.get("email", "").strip().lower() or None
    values = {"name": name, "email": email or ""}
    if not name or (email is not None and not EMAIL.match(email)):
        error = "Your name, please." if not name else "That e-mail address does not look right."
        return _login_page(request, next_path=next_path, error=error, status=422, **values)
    client = request.client.host if request.client else "unknown"
    throttle = _throttle(request)
    if wait := await throttle.wait_seconds(client):
        log.warning("team console: too many wrong tokens from one address; refused for now")
        page = _login_page(
            request,
            next_path=next_path,
            error=f"Too many wrong tokens. Try again in {math.ceil(wait / 60)} minutes.",
            status=429,
            **values,
        )
        page.headers["Retry-After"] = str(wait)
        return page
    given = form.get("token", "").strip().encode("utf-8", "replace")
    if not hmac.compare_digest(given, token.encode()):
        await throttle.failed(client)
        log.warning("team console: a login with a wrong token was refused")
        return _login_page(request, next_path=next_path, error="Wrong token.", status=401, **values)
    _member, cookie = new_session(name, email, token)
    log.info("team console: %s logged in", name)
    response = RedirectResponse(next_path, status_code=303)
    set_cookie(response, request, SESSION_COOKIE, cookie, SESSION_SECONDS)
    response.delete_cookie(LOGIN_COOKIE, path=CONSOLE_PATH)
    return response


@router.post("/logout")
async def logout(_form: PostedForm) -> Response:
    """End the session (the cookie is dropped)."""
    response = RedirectResponse(f"{CONSOLE_PATH}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=CONSOLE_PATH)
    return response
