"""A fake OpenAI chat-completions API (and Groq's copy of it) for the real SDKs.

``POST /v1/chat/completions`` answers like OpenAI: a JSON ``chat.completion``,
or with ``stream: true`` SSE ``data: {chunk}`` lines ending in
``data: [DONE]``, plus a usage chunk when ``stream_options.include_usage`` is
asked for. ``POST /openai/v1/chat/completions`` is the same API the way Groq
serves it: the last chunk of a stream carries ``x_groq: {"id", "usage"}``.
``POST /v1beta/openai/chat/completions`` is Gemini's OpenAI-compatible
endpoint, whose errors are Google's (``{"error": {"code", "message", "status"}}``).
Like the real reasoning models, usage reports ``reasoning_tokens``; a model in
``script.retired_models`` gets OpenAI's 404 ``model_not_found`` (Groq: 400
``model_decommissioned``; Gemini: 404 ``NOT_FOUND``), and a parameter in
``script.refused_params`` gets a 400 naming it.
Each request takes the next `Reply` of the script, which decides the status,
stalls, cuts, finish reason, refusal, cached tokens and logprobs (each token
gets ``extra["logprob"]``, default -0.1); ``extra["headers"]`` adds response
headers to an error and ``extra["stream_usage"] = False`` leaves usage out of a
stream. The requested model is echoed back; a request without a bearer
token gets 401.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, suppress
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from agents.providers.testing.openai_embeddings import embeddings_endpoint
from agents.providers.testing.script import (
    CUT_AFTER_FIRST_TOKEN,
    CUT_BEFORE_FIRST_TOKEN,
    Reply,
    Script,
)
from agents.providers.testing.server import FakeVendor, run_fake

#: Reply.finish_reason (vendor-neutral) as OpenAI spells it.
FINISH_REASONS = {"tool_use": "tool_calls", "refusal": "stop"}
#: The ``type`` and ``code`` of OpenAI's error body, by status.
ERROR_KINDS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}


class ConnectionCut(Exception):
    """Raised inside a response body: uvicorn drops the connection mid-answer."""


class CutQuietly:
    """ASGI wrapper: a scripted cut ends the app without a traceback in the test log.

    uvicorn then closes the half-sent response ("returned without completing
    response"), which is the dropped connection the client should see.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with suppress(ConnectionCut):
            await self.app(scope, receive, send)


def openai_app(script: Script) -> CutQuietly:
    """The fake app; `Reply` values in ``script`` decide each answer."""

    async def chat(request: Request) -> Response:
        body = await request.json()
        headers = dict(request.headers)
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token:
            script.requests.append(body)
            script.headers.append(headers)
            return error_response(Reply(status=401, error_message="You didn't provide an API key."))
        reply = script.take(body, headers)
        groq = request.url.path.startswith("/openai/")
        gemini = request.url.path.startswith("/v1beta/")
        refused = vendor_refusal(script, body, groq=groq, gemini=gemini)
        if refused is not None:
            return refused
        if reply.status != 200:
            await script.stall(reply.stall)
            return error_response(reply)
        if body.get("stream"):
            events = sse_events(script, reply, body, groq=groq)
            return StreamingResponse(events, media_type="text/event-stream")
        if reply.cut:
            return StreamingResponse(
                cut_json(completion_body(reply, body)), media_type="application/json"
            )
        await script.stall(reply.stall)
        return JSONResponse(completion_body(reply, body))

    async def models(_request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    routes = [
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/openai/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1beta/openai/chat/completions", chat, methods=["POST"]),
        Route("/v1/models", models),
        Route("/v1/embeddings", embeddings_endpoint(script, error_response), methods=["POST"]),
    ]
    return CutQuietly(Starlette(routes=routes))


def vendor_refusal(
    script: Script, body: dict[str, Any], *, groq: bool, gemini: bool
) -> JSONResponse | None:
    """The vendor's answer to a retired model or a refused parameter, if the request has one."""
    model = body.get("model", "")
    if model in script.retired_models:
        if gemini:
            message = f"models/{model} is not found for API version v1beta"
            return JSONResponse(
                {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}},
                status_code=404,
            )
        if groq:
            message = f"The model `{model}` has been decommissioned and is no longer supported."
            return _openai_error(400, message, "invalid_request_error", "model_decommissioned")
        message = f"The model `{model}` does not exist or you do not have access to it."
        return _openai_error(404, message, "invalid_request_error", "model_not_found")
    for param in sorted(script.refused_params & set(body)):
        message = f"Unsupported parameter: '{param}' is not supported with this model."
        return _openai_error(400, message, "invalid_request_error", "unsupported_parameter")
    return None


def _openai_error(status: int, message: str, kind: str, code: str | None) -> JSONResponse:
    error = {"message": message, "type": kind, "param": None, "code": code}
    return JSONResponse({"error": error}, status_code=status)


def error_response(reply: Reply) -> JSONResponse:
    """The vendor's error body, with ``Retry-After`` and any scripted headers."""
    kind, code = ERROR_KINDS.get(reply.status, ("server_error", None))
    headers: dict[str, str] = {}
    if reply.retry_after is not None:
        seconds = reply.retry_after
        headers["retry-after"] = str(int(seconds)) if seconds == int(seconds) else str(seconds)
    headers.update(reply.extra.get("headers", {}))
    error = {"message": reply.error_message, "type": kind, "param": None, "code": code}
    return JSONResponse({"error": error}, status_code=reply.status, headers=headers)


def usage_body(reply: Reply) -> dict[str, Any]:
    """OpenAI's usage object (prompt_tokens include the cached ones)."""
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.input_tokens + reply.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_input_tokens, "audio_tokens": 0},
        # Reasoning models: the thinking is part of completion_tokens, and billed so.
        "completion_tokens_details": {"reasoning_tokens": reply.extra.get("reasoning_tokens", 0)},
    }


def _pieces(reply: Reply) -> list[str]:
    return Reply(text=reply.refusal).deltas() if reply.refusal else reply.deltas()


def _logprobs(reply: Reply, pieces: list[str]) -> dict[str, Any]:
    value = reply.extra.get("logprob", -0.1)
    tokens = [
        {"token": p, "logprob": value, "bytes": list(p.encode()), "top_logprobs": []}
        for p in pieces
    ]
    return {"content": tokens, "refusal": None}


def completion_body(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    """A whole ``chat.completion`` object for ``reply``."""
    refusal = reply.refusal or (reply.text if reply.finish_reason == "refusal" else None)
    message = {"role": "assistant", "content": None if refusal else reply.text, "refusal": refusal}
    choice = {
        "index": 0,
        "message": message,
        "logprobs": _logprobs(reply, reply.deltas()) if body.get("logprobs") else None,
        "finish_reason": FINISH_REASONS.get(reply.finish_reason, reply.finish_reason),
    }
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [choice],
        "usage": usage_body(reply),
        "system_fingerprint": "fp_fake",
    }


async def cut_json(body: dict[str, Any]) -> AsyncIterator[bytes]:
    """Half of a JSON answer, then the connection drops."""
    text = json.dumps(body).encode()
    yield text[: len(text) // 2]
    raise ConnectionCut("fake vendor cut the answer (scripted)")


def _sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


async def sse_events(
    script: Script, reply: Reply, body: dict[str, Any], *, groq: bool
) -> AsyncIterator[bytes]:
    """The chunks of a streamed answer, as the scripted reply wants them."""
    # extra={"stream_usage": False}: a server (llama.cpp's) that never sends stream usage.
    asked = bool((body.get("stream_options") or {}).get("include_usage"))
    include_usage = asked and reply.extra.get("stream_usage", True)
    request_id = f"req_{uuid.uuid4().hex[:16]}"
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "system_fingerprint": "fp_fake",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        data: dict[str, Any] = {**head, "choices": [choice], **more}
        if include_usage:
            data.setdefault("usage", None)
        return _sse(data)

    if not reply.stall_after_first:
        await script.stall(reply.stall)
    first: dict[str, Any] = {"x_groq": {"id": request_id}} if groq else {}
    yield chunk({"role": "assistant", "content": ""}, **first)
    if reply.cut == CUT_BEFORE_FIRST_TOKEN:
        raise ConnectionCut("fake vendor cut the stream before the first token (scripted)")
    key = "refusal" if reply.refusal else "content"
    pieces = _pieces(reply)
    for i, piece in enumerate(pieces):
        yield chunk({key: piece})
        if i == 0 and reply.cut == CUT_AFTER_FIRST_TOKEN:
            raise ConnectionCut("fake vendor cut the stream after the first token (scripted)")
        if i == 0 and reply.stall_after_first:
            await script.stall(reply.stall)
    finish = FINISH_REASONS.get(reply.finish_reason, reply.finish_reason)
    usage = usage_body(reply) if reply.extra.get("stream_usage", True) else None
    extra = {"x_groq": {"id": request_id, "usage": usage}} if groq else {}
    yield chunk({}, finish, **extra)
    if include_usage:
        yield _sse({**head, "choices": [], "usage": usage_body(reply)})
    yield b"data: [DONE]\n\n"


def fake_openai(default: Reply | None = None) -> AbstractAsyncContextManager[FakeVendor]:
    """``async with fake_openai() as fake``: give the SDK ``base_url=fake.base_url`` (…/v1)."""
    return run_fake(openai_app, path="/v1", default=default)


def fake_gemini(default: Reply | None = None) -> AbstractAsyncContextManager[FakeVendor]:
    """``async with fake_gemini() as fake``: Gemini's OpenAI-compatible endpoint."""
    return run_fake(openai_app, path="/v1beta/openai", default=default)


def fake_groq(default: Reply | None = None) -> AbstractAsyncContextManager[FakeVendor]:
    """``async with fake_groq() as fake``: the Groq SDK appends ``/openai/v1`` to the bare URL."""
    return run_fake(openai_app, path="", default=default)


__all__ = ["ConnectionCut", "FakeVendor", "fake_gemini", "fake_groq", "fake_openai", "openai_app"]
