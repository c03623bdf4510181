"""The HTTP API of /compare: run one, read one back, stream one as it happens, win rates.

- ``POST /api/v1/compare`` {question, asker, fresh} → the whole result, once ranked.
- ``POST /api/v1/compare/stream`` → Server-Sent Events: ``answer`` per answer as it
  arrives, then ``result`` (or ``error``).
- ``GET /api/v1/compare/{id}`` → a stored compare; ``GET /api/v1/compare/stats`` → win rates.

An empty or too long question is a 422, a caller over its rate limit (per
asker, and per client address) a 429 with ``Retry-After``; both in the API's
one error shape, with nothing stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.compare.admission import MAX_QUESTION_CHARS, CompareRefusedError, CompareTicket
from bot.compare.service import CompareService
from bot.http.common import RuntimeDep, error_response, responses
from bot.http.fields import NOT_BLANK, PathId, StoredText, Who
from memory.compare_records import ModelStats, StoredAnswer

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/compare", tags=["compare"], responses=responses(401))
#: What POST /api/v1/compare and its stream may answer besides 200.
POST_ERRORS = responses(400, 422, 429)

#: The channel compares asked through the API are recorded under.
API_CHANNEL = "api"


class CompareIn(BaseModel):
    """A question for ``POST /api/v1/compare`` (and its streaming variant)."""

    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    question: StoredText = Field(
        pattern=NOT_BLANK,
        max_length=MAX_QUESTION_CHARS,
        description="What to ask every model (at most 1,000 characters, not only spaces).",
    )
    asker: Who = Field(
        "api:anonymous",
        description=(
            "Who asks, as kind:value: recorded with the compare, and a key of the rate "
            "limit (the caller's address is another, which the caller cannot choose)."
        ),
    )
    fresh: bool = Field(False, description="Ask the models even if a stored answer exists.")


@router.post("", responses=POST_ERRORS)
async def post_compare(body: CompareIn, rt: RuntimeDep, request: Request) -> Any:
    """Ask every model at once and return the ranked, stored result."""
    try:
        result = await rt.compare.compare(
            body.question,
            asker=body.asker,
            caller=caller(request),
            channel=API_CHANNEL,
            fresh=body.fresh,
        )
    except CompareRefusedError as exc:
        return refused(exc)
    return result.as_dict()


@router.post(
    "/stream",
    responses={200: {"content": {"text/event-stream": {}}}, **POST_ERRORS},
)
async def stream_compare(body: CompareIn, rt: RuntimeDep, request: Request) -> Any:
    """The same compare as Server-Sent Events, each answer the moment it arrives."""
    try:
        ticket = await rt.compare.admit(
            body.question,
            asker=body.asker,
            caller=caller(request),
            channel=API_CHANNEL,
            fresh=body.fresh,
        )
    except CompareRefusedError as exc:
        return refused(exc)
    return StreamingResponse(
        _events(rt.compare, ticket),
        media_type="text/event-stream",
        # No caching, and no buffering by a proxy in front: each event must go out at once.
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/stats")
async def compare_stats(rt: RuntimeDep) -> Any:
    """Win rates and thumbs per model, from the team's votes."""
    return {
        "models": [
            {"model": s.model_id, **_counts(s), "win_rate": s.win_rate}
            for s in await rt.compare.stats()
        ]
    }


@router.get("/{query_id:int}", responses=responses(404, 422))
async def get_compare(query_id: PathId, rt: RuntimeDep) -> Any:
    """A stored compare, with every answer in full."""
    result = await rt.compare.get(query_id)
    if result is None:
        return error_response(404, f"no compare {query_id}")
    return result.as_dict()


def caller(request: Request) -> str:
    """Who calls, as the caller cannot choose it: the peer's address.

    `asker` is the client's to say, so a rate limit on it alone is escaped by
    varying it; this key holds every compare from one address to the limit too.
    Behind a proxy, uvicorn's ``FORWARDED_ALLOW_IPS`` must name it (``bot serve``
    reads ``X-Forwarded-For`` from those addresses only) for this to be the client's.
    """
    host = request.client.host if request.client else "unknown"
    return f"api-peer:{host}"


def _counts(stats: ModelStats) -> dict[str, int]:
    counts = asdict(stats)
    counts.pop("model_id")
    return counts


def refused(exc: CompareRefusedError) -> JSONResponse:
    """A refusal in the API's error shape: 429 with Retry-After, else 422."""
    if exc.reason == "rate_limited":
        headers = {"Retry-After": str(exc.retry_after_s or 1)}
        return error_response(429, str(exc), headers=headers)
    return error_response(422, str(exc))


def sse(event: str, data: dict[str, Any]) -> str:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


async def _events(service: CompareService, ticket: CompareTicket) -> AsyncIterator[str]:
    if ticket.cached is not None:
        yield sse("result", ticket.cached.as_dict())
        return
    arrived: asyncio.Queue[StoredAnswer | None] = asyncio.Queue()

    async def on_answer(answer: StoredAnswer) -> None:
        arrived.put_nowait(answer)

    # The service owns the run: a client that leaves early does not stop it being stored.
    task = service.start(ticket, on_answer=on_answer)
    task.add_done_callback(lambda _task: arrived.put_nowait(None))
    while (answer := await arrived.get()) is not None:
        yield sse("answer", answer.as_dict())
    try:
        result = task.result()
    except Exception as exc:
        log.exception("streamed compare %d failed", ticket.query_id)
        yield sse("error", {"error": f"the compare broke off: {exc}", "id": ticket.query_id})
        return
    yield sse("result", result.as_dict())
