"""The team console's session: a signed cookie naming the team member, and its CSRF token.

A team member logs in with the shared ``ADMIN_API_TOKEN`` and their name (and
e-mail); the console answers with a cookie holding who they are, a random
CSRF token and an expiry, signed with HMAC-SHA256 under a key derived from
``ADMIN_API_TOKEN``. Nothing is kept in the process, so any number of
processes serve the same sessions, and changing the token logs everyone out.

The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's
page sends it) and Secure when the console is served over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

#: The session cookie, and the short-lived cookie that carries the login form's CSRF token.
SESSION_COOKIE = "admin_session"
LOGIN_COOKIE = "admin_login"
#: How long a login lasts, and how long a login form may wait before it is sent.
SESSION_SECONDS = 12 * 3600
LOGIN_FORM_SECONDS = 3600
#: Where the console lives (the cookies' path).
CONSOLE_PATH = "/admin"


@dataclass(frozen=True, slots=True)
class TeamMember:
    """Who is logged in: what each of their replies and votes is recorded with."""

    name: str
    email: str | None
    csrf: str

    @property
    def member_id(self) -> str:
        """``console:<e-mail>`` (or ``console:<name>`` without one): the replies' author id."""
        return f"console:{self.email or self.name}"


def _key(token: str) -> bytes:
    # A key of its own, derived from the token: the token itself is never a MAC key elsewhere.
    return hmac.new(token.encode(), b"team-console-session-v1", hashlib.sha256).digest()


def sign(payload: dict[str, Any], token: str) -> str:
    """``payload`` as JSON, base64url-encoded, with its HMAC: the cookie's value."""
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    mac = hmac.new(_key(token), body, hashlib.sha256).digest()
    return f"{body.decode()}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(value: str | None, token: str) -> dict[str, Any] | None:
    """The payload of a cookie value, or None when it is forged, garbled or expired."""
    if not value or value.count(".") != 1 or len(value) > 4096:
        return None
    body, mac = value.split(".")
    expected = hmac.new(_key(token), body.encode(), hashlib.sha256).digest()
    given = mac + "=" * (-len(mac) % 4)
    try:
        if not hmac.compare_digest(base64.urlsafe_b64decode(given), expected):
            return None
        payload = json.loads(base64.urlsafe_b64decode(body))
    except ValueError:  # binascii.Error and JSONDecodeError are ValueErrors
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("x"), int | float):
        return None
    return payload if payload["x"] > time.time() else None


def new_session(name: str, email: str | None, token: str) -> tuple[TeamMember, str]:
    """A new session for ``name``: the member and the cookie value."""
    member = TeamMember(name=name, email=email, csrf=secrets.token_urlsafe(24))
    payload = {"n": name, "e": email, "c": member.csrf, "x": int(time.time()) + SESSION_SECONDS}
    return member, sign(payload, token)


def member_of(request: Request, token: str) -> TeamMember | None:
    """The team member the request's session cookie names, or None."""
    payload = unsign(request.cookies.get(SESSION_COOKIE), token)
    if payload is None:
        return None
    name, email, csrf = payload.get("n"), payload.get("e"), payload.get("c")
    if not isinstance(name, str) or not isinstance(csrf, str) or not name:
        return None
    return TeamMember(name=name, email=email if isinstance(email, str) else None, csrf=csrf)


def login_form_token(token: str) -> tuple[str, str]:
    """A CSRF token for the login form, and the cookie value that vouches for it."""
    csrf = secrets.token_urlsafe(24)
    return csrf, sign({"c": csrf, "x": int(time.time()) + LOGIN_FORM_SECONDS}, token)


def login_csrf(request: Request, token: str) -> str | None:
    """The login form's CSRF token as its cookie vouches for it, or None."""
    payload = unsign(request.cookies.get(LOGIN_COOKIE), token)
    csrf = payload.get("c") if payload else None
    return csrf if isinstance(csrf, str) else None


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """Set a console cookie: HttpOnly, SameSite=Strict, Secure over HTTPS, path /admin."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def is_https(request: Request) -> bool:
    """Whether the browser reached the console over HTTPS (directly or through a proxy)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"
