"""A fake Anthropic Messages API: ``POST /v1/messages``, JSON and the SSE event stream.

Shapes follow the ``anthropic`` SDK's types (``Message``, ``RawMessageStreamEvent``)
and Anthropic's documentation: errors as ``{"type": "error", "error": {...}}``,
529 for "overloaded", ``usage`` with the cache figures apart from ``input_tokens``.
A `Reply`'s ``input_tokens`` is the whole prompt: the fake splits it into
uncached, cache-read and cache-write parts, as the API does. A request
without a key (``x-api-key``, or ``Authorization: Bearer``, which anthropic>=2
sends) gets a 401 whatever the script says.

``Reply.extra`` keys this fake reads:

- ``stream_error``: an ``error`` event type (``overloaded_error``) sent in a 200
  stream after ``message_start``, as the API does when it is overloaded mid-answer;
- ``error_type``: the ``error.type`` of an error reply (default: by status);
- ``cache_creation_input_tokens``: prompt tokens written to the cache;
- ``refusal_category``, ``refusal_explanation``: the ``stop_details`` of a refusal;
- ``reasoning_tokens``: a thinking block comes before the text (an empty ``text``
  with ``finish_reason="length"`` is a reply whose budget went to thinking).

A model in ``script.retired_models`` gets 404 ``not_found_error``; a parameter in
``script.refused_params`` gets 400 ``invalid_request_error``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from agents.providers.testing.script import (
    CUT_AFTER_FIRST_TOKEN,
    CUT_BEFORE_FIRST_TOKEN,
    Reply,
    Script,
)
from agents.providers.testing.server import FakeVendor, run_fake

#: The ``error.type`` Anthropic sends with each status.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

#: `Reply.finish_reason` (vendor-neutral) as Anthropic's ``stop_reason``.
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "refusal": "refusal"}


class ConnectionCut(Exception):
    """Raised inside a streaming body: uvicorn drops the connection mid-response."""


def anthropic_app(script: Script) -> Starlette:
    """An ASGI app answering ``POST /v1/messages`` from ``script``."""

    async def messages(request: Request) -> Response:
        body = await request.json()
        reply = script.take(body, dict(request.headers))
        if not api_key(request.headers):
            return error_response(401, "x-api-key header is required")
        if body.get("model") in script.retired_models:
            return error_response(404, f"model: {body['model']}", "not_found_error")
        for param in sorted(script.refused_params & set(body)):
            return error_response(400, f"{param}: is not supported on this model")
        if reply.status != 200:
            await script.stall(reply.stall)
            error_type = reply.extra.get("error_type") or ERROR_TYPES.get(reply.status)
            return error_response(
                reply.status, reply.error_message, error_type, retry_after=reply.retry_after
            )
        if body.get("stream"):
            return StreamingResponse(
                stream_events(script, reply, body),
                media_type="text/event-stream",
                headers={"request-id": _id("req"), "cache-control": "no-cache"},
            )
        await script.stall(reply.stall)
        return JSONResponse(message(reply, body), headers={"request-id": _id("req")})

    return Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])


def api_key(headers: Mapping[str, str]) -> str | None:
    """The key a request carries: ``x-api-key``, or ``Authorization: Bearer`` (anthropic>=2)."""
    if headers.get("x-api-key"):
        return headers["x-api-key"]
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def error_response(
    status: int,
    message: str,
    error_type: str | None = None,
    *,
    retry_after: float | None = None,
) -> JSONResponse:
    """An error in Anthropic's shape, with ``Retry-After`` when given."""
    headers = {"request-id": _id("req")}
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    content = {
        "type": "error",
        "error": {"type": error_type or ERROR_TYPES.get(status, "api_error"), "message": message},
    }
    return JSONResponse(content, status_code=status, headers=headers)


def usage(reply: Reply, *, output_tokens: int | None = None) -> dict[str, int]:
    """The ``usage`` object: ``input_tokens`` excludes the cache reads and writes."""
    written = int(reply.extra.get("cache_creation_input_tokens", 0))
    return {
        "input_tokens": max(0, reply.input_tokens - reply.cached_input_tokens - written),
        "output_tokens": reply.completion_tokens if output_tokens is None else output_tokens,
        "cache_read_input_tokens": reply.cached_input_tokens,
        "cache_creation_input_tokens": written,
    }


def stop_reason(reply: Reply, *, tool: bool = False) -> str:
    """Anthropic's ``stop_reason`` for ``reply``."""
    if reply.refusal is not None:
        return "refusal"
    if tool and reply.finish_reason in ("stop", "tool_use"):
        return "tool_use"
    return STOP_REASONS.get(reply.finish_reason, reply.finish_reason)


def stop_details(reply: Reply) -> dict[str, Any] | None:
    """What the API adds to a refusal (``category`` and ``explanation`` from ``Reply.extra``)."""
    if reply.refusal is None:
        return None
    return {
        "type": "refusal",
        "category": reply.extra.get("refusal_category"),
        "explanation": reply.extra.get("refusal_explanation"),
    }


def message(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    """A whole ``Message``: a text block, or a ``tool_use`` block when a tool was forced."""
    tool = _forced_tool(body)
    if reply.refusal is not None:
        content = [{"type": "text", "text": reply.refusal}]
    elif tool is not None:
        content = [{"type": "tool_use", "id": _id("toolu"), "name": tool, "input": _input(reply)}]
    else:
        content = [{"type": "text", "text": reply.text}] if reply.text else []
        if reply.extra.get("reasoning_tokens"):  # adaptive thinking: a thinking block first
            content.insert(0, {"type": "thinking", "thinking": "…", "signature": "sig"})
    return {
        "id": _id("msg"),
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-fake"),
        "content": content,
        "stop_reason": stop_reason(reply, tool=tool is not None and reply.refusal is None),
        "stop_sequence": None,
        "stop_details": stop_details(reply),
        "usage": usage(reply),
    }


async def stream_events(script: Script, reply: Reply, body: dict[str, Any]) -> AsyncIterator[str]:
    """The SSE events of a streamed text answer, with the stalls and cuts ``reply`` asks for."""
    if not reply.stall_after_first:
        await script.stall(reply.stall)
    start = {
        "id": _id("msg"),
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-fake"),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage(reply, output_tokens=1),  # the API reports a placeholder here
    }
    yield sse("message_start", {"type": "message_start", "message": start})
    if reply.extra.get("stream_error"):
        error = {"type": reply.extra["stream_error"], "message": reply.error_message}
        yield sse("error", {"type": "error", "error": error})
        return
    block = {"type": "text", "text": ""}
    yield sse(
        "content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}
    )
    yield sse("ping", {"type": "ping"})
    if reply.cut == CUT_BEFORE_FIRST_TOKEN:
        raise ConnectionCut("cut before the first token")
    text = reply.refusal if reply.refusal is not None else reply.text
    pieces = Reply(text=text).deltas()
    for i, piece in enumerate(pieces):
        delta = {"type": "text_delta", "text": piece}
        yield sse(
            "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
        )
        if i == 0:
            if reply.cut == CUT_AFTER_FIRST_TOKEN:
                raise ConnectionCut("cut after the first token")
            if reply.stall_after_first:
                await script.stall(reply.stall)
    yield sse("content_block_stop", {"type": "content_block_stop", "index": 0})
    ending: dict[str, Any] = {
        "stop_reason": stop_reason(reply),
        "stop_sequence": None,
        "stop_details": stop_details(reply),
    }
    final_usage = {"output_tokens": reply.completion_tokens}
    yield sse("message_delta", {"type": "message_delta", "delta": ending, "usage": final_usage})
    yield sse("message_stop", {"type": "message_stop"})


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event as Anthropic frames it (named event, JSON data)."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


@asynccontextmanager
async def fake_anthropic(default: Reply | None = None) -> AsyncIterator[FakeVendor]:
    """Serve the fake; its ``base_url`` is the bare URL (the SDK appends ``/v1/messages``)."""
    async with run_fake(anthropic_app, default=default) as fake:
        yield fake


def _forced_tool(body: dict[str, Any]) -> str | None:
    """The name of the tool the request forces, or of its only tool."""
    choice = body.get("tool_choice") or {}
    if choice.get("type") == "tool":
        return choice.get("name")
    tools = body.get("tools") or []
    return tools[0]["name"] if len(tools) == 1 else None


def _input(reply: Reply) -> Any:
    """The tool input: the reply's text as JSON (``{}`` when it is not JSON, as if truncated)."""
    try:
        return json.loads(reply.text)
    except json.JSONDecodeError:
        return {}


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"
