"""What every route of the HTTP API shares: the runtime dependency and the error shape."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from bot.runtime import Runtime


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


#: The process's `Runtime`, for a route's parameters.
RuntimeDep = Annotated["Runtime", Depends(_runtime)]


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

    def __init__(self) -> None:
        super().__init__(401, "missing or wrong API token", {"WWW-Authenticate": "Bearer"})


async def require_api_token(request: Request) -> None:
    """Refuse the request unless it carries ``Authorization: Bearer <API_TOKEN>``.

    Without ``API_TOKEN`` the API is open (a warning says so at start): fine on
    a laptop, not on a host others can reach, since /compare and /enrich spend.
    """
    expected = request.app.state.runtime.settings.api_token
    if not expected:
        return
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    # compare_digest: the time taken must not tell how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        raise ApiTokenRefused()


async def api_token_refused(_request: Request, exc: Exception) -> JSONResponse:
    """The API's error shape for `ApiTokenRefused`."""
    assert isinstance(exc, ApiTokenRefused)
    return error_response(401, str(exc.detail), headers=dict(exc.headers or {}))
