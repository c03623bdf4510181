"""``POST /api/v1/messages/{id}/feedback``: a rating of one of the bot's replies.

Behind ``API_TOKEN`` like the other ``/api/v1`` routes. ``rating`` is ``up``,
``down``, ``+1`` or ``-1``; ``kind`` is ``thumb`` (a person's opinion) or
``booking_outcome`` (whether the reply led to a booking). Rating again, by
the same rater and kind, replaces the earlier rating.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from bot.http.common import RuntimeDep, error_response, responses
from bot.http.fields import Note, PathId, Who
from memory.feedback import FeedbackError, FeedbackStore, ReplyNotFoundError


class FeedbackIn(BaseModel):
    """A rating posted to ``/api/v1/messages/{id}/feedback``."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    rating: Literal["up", "down", "+1", "-1"] | Literal[1, -1] = Field(
        description="up, down, +1 or -1."
    )
    kind: Literal["thumb", "booking_outcome"] = "thumb"
    note: Note | None = None
    rater: Who = Field("api", description="Who rated: kind:value or a name.")


class FeedbackOut(BaseModel):
    """The stored rating."""

    id: int
    message_id: int
    rater: str
    kind: str
    rating: int
    note: str | None


router = APIRouter(tags=["feedback"])


@router.post(
    "/api/v1/messages/{message_id:int}/feedback",
    response_model=FeedbackOut,
    responses=responses(400, 401, 404, 422),
    operation_id="rate_reply",
)
async def rate_reply(message_id: PathId, body: FeedbackIn, rt: RuntimeDep) -> Any:
    """Store a rating of the bot's reply ``message_id``."""
    try:
        rating = await FeedbackStore(rt.db).rate(
            message_id, rater=body.rater, rating=body.rating, kind=body.kind, note=body.note
        )
    except ReplyNotFoundError as exc:
        return error_response(404, str(exc))
    except FeedbackError as exc:  # the body's rules are the schema's: a 422 only if they drift
        return error_response(422, str(exc))
    return FeedbackOut(
        id=rating.id,
        message_id=rating.message_id,
        rater=rating.rater,
        kind=rating.kind,
        rating=rating.rating,
        note=rating.note,
    )
