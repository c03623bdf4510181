"""The HTTP API of /enrich.

- ``POST /api/v1/contacts/{id}/enrich`` ``{"refresh": false}``: the contact's
  enrichment (the stored one while fresh, marked ``cached``), 404 for an
  unknown contact.
- ``POST /api/v1/enrich`` ``{"target": "jane@acme.com", "refresh": false}``:
  the same for a name, e-mail, phone or Slack user, found or created as
  ``/enrich`` does; 409 lists the contacts when a name is shared.

Both answer with the `Enrichment` JSON; a failed research or model call is a
502 in the API's one error shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from agents.enrich.result import Enrichment
from agents.errors import AgentError, ProviderUnavailableError
from bot.enrich.target import TargetError
from bot.http.common import RuntimeDep, error_response, responses
from bot.http.fields import PathId, Who
from memory.enrichment_records import AmbiguousContactError, ContactNotFoundError

router = APIRouter(prefix="/api/v1", tags=["enrich"], responses=responses(401, 422, 502, 503))


class EnrichIn(BaseModel):
    """Options of an enrichment."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    refresh: bool = Field(False, description="Research anew even if a fresh result is stored.")


class EnrichTargetIn(EnrichIn):
    """Who to enrich, as /enrich takes it."""

    target: Who = Field(
        description="A name, e-mail, phone number, @slack-user (U123) or #contact-id.",
    )


@router.post(
    "/contacts/{contact_id:int}/enrich",
    response_model=Enrichment,
    responses=responses(400, 404),
)
async def enrich_contact(contact_id: PathId, rt: RuntimeDep, body: EnrichIn | None = None) -> Any:
    """Research contact ``contact_id`` and score them as a lead (or return the fresh result)."""
    refresh = body.refresh if body else False
    try:
        return await rt.enrich.enrich(contact_id, refresh=refresh)
    except ContactNotFoundError as exc:
        return error_response(404, str(exc))
    except AgentError as exc:
        return _failed(exc)


@router.post("/enrich", response_model=Enrichment, responses=responses(400, 404, 409))
async def enrich_target(body: EnrichTargetIn, rt: RuntimeDep) -> Any:
    """Find or create the person ``target`` names, then enrich them."""
    try:
        target = rt.enrich.parse(body.target)
        return await rt.enrich.enrich_target(target, refresh=body.refresh)
    except TargetError as exc:
        return error_response(422, str(exc))
    except ContactNotFoundError as exc:
        return error_response(404, str(exc))
    except AmbiguousContactError as exc:
        details = [
            f"#{c.id} {c.name or ''} ({', '.join(f'{k}:{v}' for k, v in c.addresses)})".strip()
            for c in exc.candidates
        ]
        return error_response(409, f"{exc}: give an e-mail, phone or #id", details)
    except AgentError as exc:
        return _failed(exc)


def _failed(exc: AgentError) -> Any:
    status = 503 if isinstance(exc, ProviderUnavailableError) else 502
    return error_response(status, f"enrichment failed: {exc}")
