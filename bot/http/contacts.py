"""``/api/v1/contacts/{id}``: a contact's data exported (GET) or deleted for good (DELETE).

Guarded by its own token, ``ADMIN_API_TOKEN`` (``Authorization: Bearer ...``),
not ``API_TOKEN``: whoever may talk to the bot may not read or erase people.
While ``ADMIN_API_TOKEN`` is unset the routes refuse everyone, with an error
that says so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from bot.http.common import (
    ApiTokenRefused,
    RuntimeDep,
    admin_bearer,
    error_response,
    responses,
    token_matches,
)
from bot.http.fields import PathId
from memory.privacy import ContactNotFoundError, ContactPrivacy


async def require_admin_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(admin_bearer)],
) -> None:
    """Refuse the request unless it carries ``Authorization: Bearer <ADMIN_API_TOKEN>``."""
    expected = request.app.state.runtime.settings.admin_api_token
    if not expected:
        raise ApiTokenRefused(
            "ADMIN_API_TOKEN is not set: the contacts API refuses every request until it is"
        )
    if not token_matches(credentials, expected):
        raise ApiTokenRefused("missing or wrong admin token")


router = APIRouter(
    prefix="/api/v1/contacts",
    tags=["privacy"],
    dependencies=[Depends(require_admin_token)],
    responses=responses(401, 404, 422),
)


@router.get("/{contact_id:int}")
async def export_contact(contact_id: PathId, rt: RuntimeDep) -> Any:
    """Everything held about the contact, by table."""
    try:
        return await ContactPrivacy(rt.db).export(contact_id)
    except ContactNotFoundError as exc:
        return error_response(404, str(exc))


@router.delete("/{contact_id:int}")
async def delete_contact(contact_id: PathId, rt: RuntimeDep) -> Any:
    """Delete everything held about the contact; rows affected per table."""
    privacy = ContactPrivacy(rt.db)
    try:
        async with rt.db.sessions() as session:
            person = await privacy.person(session, contact_id)
        deleted = await privacy.delete(contact_id)
    except ContactNotFoundError as exc:
        return error_response(404, str(exc))
    return JSONResponse({"contact_id": person.contact_id, "deleted": deleted})
