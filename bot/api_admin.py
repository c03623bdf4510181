"""``/api/v1/contacts/{id}``: a contact's data exported (GET) or deleted for good (DELETE).

Guarded by its own token, ``ADMIN_API_TOKEN`` (``Authorization: Bearer ...``),
not ``API_TOKEN``: whoever may talk to the bot may not read or erase people.
While ``ADMIN_API_TOKEN`` is unset the routes refuse everyone, with an error
that says so.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from bot.api_common import ApiTokenRefused, RuntimeDep, error_response
from memory.privacy import ContactNotFoundError, ContactPrivacy


class AdminTokenRefused(ApiTokenRefused):
    """A request without the ``ADMIN_API_TOKEN`` bearer token (the API's 401 handler answers)."""

    def __init__(self, message: str) -> None:
        HTTPException.__init__(self, 401, message, {"WWW-Authenticate": "Bearer"})


async def require_admin_token(request: Request) -> None:
    """Refuse the request unless it carries ``Authorization: Bearer <ADMIN_API_TOKEN>``."""
    expected = request.app.state.runtime.settings.admin_api_token
    if not expected:
        raise AdminTokenRefused(
            "ADMIN_API_TOKEN is not set: the contacts API refuses every request until it is"
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    # compare_digest: the time taken must not tell how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        raise AdminTokenRefused("missing or wrong admin token")


router = APIRouter(prefix="/api/v1/contacts", dependencies=[Depends(require_admin_token)])


@router.get("/{contact_id}")
async def export_contact(contact_id: int, rt: RuntimeDep) -> Any:
    """Everything held about the contact, by table."""
    try:
        return await ContactPrivacy(rt.db).export(contact_id)
    except ContactNotFoundError as exc:
        return error_response(404, str(exc))


@router.delete("/{contact_id}")
async def delete_contact(contact_id: int, rt: RuntimeDep) -> Any:
    """Delete everything held about the contact; rows affected per table."""
    privacy = ContactPrivacy(rt.db)
    try:
        async with rt.db.sessions() as session:
            person = await privacy.person(session, contact_id)
        deleted = await privacy.delete(contact_id)
    except ContactNotFoundError as exc:
        return error_response(404, str(exc))
    return JSONResponse({"contact_id": person.contact_id, "deleted": deleted})
