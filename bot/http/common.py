"""What every route of the HTTP API shares: the runtime, the tokens and the error shape.

Every error, whoever raises it (a route, validation, routing's 404 and 405),
answers ``{"error": "...", "details": [...]}``; `responses` declares those
answers in the OpenAPI schema with that body, so the schema lists what the
API really returns.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from bot.http.fields import EXPLAINED

if TYPE_CHECKING:
    from bot.runtime import Runtime


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


#: The process's `Runtime`, for a route's parameters.
RuntimeDep = Annotated["Runtime", Depends(_runtime)]


class ErrorOut(BaseModel):
    """The API's one error shape."""

    error: str = Field(description="What went wrong, for a person to read.")
    details: list[str] = Field(default_factory=list, description="One line per problem found.")


_WHY = {
    400: "The body is not valid JSON.",
    401: "Missing or wrong bearer token.",
    404: "No such resource (or no route).",
    409: "The request names more than one match; the details list them.",
    422: "The request breaks a rule the details name.",
    429: "Over the rate limit; Retry-After says when to try again.",
    502: "A model or research call failed.",
    503: "No model is available.",
    504: "The message is stored and scheduled, but its answer took longer than ANSWER_WAIT_S.",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of these error codes, each with `ErrorOut` as its body."""
    return {
        code: {"model": ErrorOut, "description": _WHY[code], **_headers(code)} for code in codes
    }


def _headers(code: int) -> dict[str, Any]:
    return {"headers": _HEADERS[code]} if code in _HEADERS else {}


def error_response(
    status: int,
    message: str,
    details: list[str] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The API's one error shape: ``{"error": "...", "details": [...]}``."""
    return JSONResponse(
        {"error": message, "details": details or []}, status_code=status, headers=headers
    )


class ApiTokenRefused(HTTPException):
    """A request to ``/api/v1`` without the ``API_TOKEN`` bearer token."""

    def __init__(self, message: str = "missing or wrong API token") -> None:
        super().__init__(401, message, {"WWW-Authenticate": "Bearer"})


#: The schema's ``ApiToken`` scheme; parsing only: `require_api_token` decides.
api_bearer = HTTPBearer(
    scheme_name="ApiToken", description="API_TOKEN, as a bearer token.", auto_error=False
)
#: The schema's ``AdminToken`` scheme (the contacts API).
admin_bearer = HTTPBearer(
    scheme_name="AdminToken", description="ADMIN_API_TOKEN, as a bearer token.", auto_error=False
)


def token_matches(credentials: HTTPAuthorizationCredentials | None, expected: str) -> bool:
    """Whether the bearer token is ``expected``, in constant time.

    Compared as bytes: a header may hold any byte (Starlette decodes it as
    Latin-1), and `hmac.compare_digest` raises on a str that is not ASCII.
    """
    if credentials is None:
        return False
    given = credentials.credentials.strip().encode("latin-1")
    # compare_digest: the time taken must not tell how much of a guess was right.
    return hmac.compare_digest(given, expected.encode("utf-8"))


async def require_api_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(api_bearer)],
) -> None:
    """Refuse the request unless it carries ``Authorization: Bearer <API_TOKEN>``.

    Without ``API_TOKEN`` the API is open (a warning says so at start): fine on
    a laptop, not on a host others can reach, since /compare and /enrich spend.
    """
    expected = request.app.state.runtime.settings.api_token
    if expected and not token_matches(credentials, expected):
        raise ApiTokenRefused()


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Any `HTTPException` (401s, routing's 404 and 405) in the API's error shape.

    A 405 lists in ``Allow`` the methods of every route on the path, not only
    the first one's (Starlette's own), so GET and DELETE of one path both show.
    """
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
    return error_response(exc.status_code, str(exc.detail), headers=headers or None)


#: The methods a path may answer to, in the order `Allow` lists them.
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed(request: Request) -> list[str]:
    """The methods some route fully matches on this path (routers included, at any depth)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """A request that breaks the schema: 400 for a body that is not JSON, else 422."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "the request body is not valid JSON")
    details = [f"{_where(e['loc'])}: {_explain(e)}" for e in errors]
    return error_response(422, "invalid request: " + "; ".join(details), details)


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "text") → "text"; ("path", "query_id") → "query_id"
    parts = [str(p) for p in loc if p not in ("body", "path", "query", "header")]
    return ".".join(parts) or "body"


def _explain(error: dict[str, Any]) -> str:
    if error.get("type") == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern"))
        return EXPLAINED.get(pattern, str(error["msg"]))
    return str(error["msg"])
