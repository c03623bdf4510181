"""What guards every console route: the login, the CSRF token and Origin of each POST, forms.

- `Member`: the logged-in team member; without a valid session a page
  redirects to the login form (htmx is told with ``HX-Redirect``).
- `PostedForm`: a POST's form, once its Origin is this site and its ``csrf``
  field is the session's token (403 otherwise). Forms are parsed here, within
  size limits, without python-multipart.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import parse_qsl, quote, urlsplit

from fastapi import Depends, HTTPException, Request

from bot.admin.session import CONSOLE_PATH, TeamMember, member_of

#: The largest form body the console reads (a reply is at most a few KB).
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 20


class ConsoleOffError(HTTPException):
    """The console refuses everything while ``ADMIN_API_TOKEN`` is unset."""

    def __init__(self) -> None:
        super().__init__(403, "ADMIN_API_TOKEN is not set: the team console is off")


def console_token(request: Request) -> str:
    """``ADMIN_API_TOKEN``, or `ConsoleOffError` when it is not set."""
    token = request.app.state.runtime.settings.admin_api_token
    if not token:
        raise ConsoleOffError()
    return str(token)


def require_member(request: Request) -> TeamMember:
    """The logged-in team member; else a 303 to the login form."""
    member = member_of(request, console_token(request))
    if member is not None:
        return member
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    login = f"{CONSOLE_PATH}/login?next={quote(target, safe='')}"
    if request.headers.get("hx-request"):  # htmx swaps a 303's page in place: send it there
        raise HTTPException(303, "log in first", {"Location": login, "HX-Redirect": login})
    raise HTTPException(303, "log in first", {"Location": login})


#: The logged-in team member, for a route's parameters.
Member = Annotated[TeamMember, Depends(require_member)]


def check_origin(request: Request) -> None:
    """Refuse a POST whose Origin (or, lacking one, Referer) is another site (403).

    Compared by host: behind a TLS proxy the app sees http while the browser
    says https, but the Host header is the one the browser used.
    """
    host = request.headers.get("host", "")
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return  # old clients send neither; the CSRF token still has to match
    if origin == "null" or urlsplit(origin).netloc != host:
        raise HTTPException(403, "cross-site request refused (Origin is not this site)")


async def read_form(request: Request) -> dict[str, str]:
    """The request's URL-encoded form (400 for anything else, too big or not UTF-8)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(400, "expected a form (application/x-www-form-urlencoded)")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, f"the form is larger than {MAX_FORM_BYTES} bytes")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "the form is not valid UTF-8 URL-encoded data") from None
    # NUL is refused by PostgreSQL's text: never let it reach a query.
    return {key: value.replace("\x00", "") for key, value in pairs}


def tokens_match(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a CSRF token."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


async def checked_form(request: Request, member: Member) -> dict[str, str]:
    """The POST's form, once its Origin and CSRF token are right (403 otherwise)."""
    check_origin(request)
    form = await read_form(request)
    if not tokens_match(form.get("csrf"), member.csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return form


#: A POST's form, checked against cross-site request forgery.
PostedForm = Annotated[dict[str, str], Depends(checked_form)]
