"""What every route of the HTTP API shares: the runtime dependency and the error shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
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
