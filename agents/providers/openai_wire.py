"""The OpenAI chat-completions wire, shared by OpenAI, Groq and compatible servers.

Groq's API and the ``/v1/chat/completions`` of Ollama, vLLM and llama.cpp's
server are shaped like OpenAI's, and the ``openai`` and ``groq`` SDKs are
generated from the same template (parallel exception classes, the same
``AsyncStream``). So the request, the parsing of answers and chunks, and the
translation of errors live here once, as functions;
`agents.providers.chat_completions` puts them on top of `RemoteProvider`.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from types import ModuleType
from typing import Any

from agents.errors import (
    ModelNotFoundError,
    ProviderAuthError,
    ProviderConnectionError,
    ProviderError,
    ProviderRequestError,
    ProviderServerError,
    ProviderTimeoutError,
    RateLimitedError,
)
from agents.providers.base import REFUSAL, CallOptions, ChatMessage, Completion, StreamEvent
from agents.providers.resilience import retry_after

#: Reads the usage object of a stream chunk (None while it has not come).
UsageOf = Callable[[Any], Any]


def to_messages(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """Our messages as the wire's ``messages`` array."""
    return [{"role": m.role, "content": m.content} for m in messages]


def response_format(options: CallOptions, kind: str) -> dict[str, Any] | None:
    """The ``response_format`` for structured output of ``kind``, or None without a schema.

    ``json_schema`` is OpenAI's native structured output (non-strict: strict mode
    rejects ordinary pydantic schemas, and `agents.providers.structured` validates
    anyway). ``json_object`` is plain JSON mode (Groq, most compatible servers),
    which relies on the schema the instructions put in the prompt; the schema is
    also passed as ``schema``, which llama.cpp's server turns into a grammar.
    """
    if options.json_schema is None:
        return None
    if kind == "json_schema":
        name = re.sub(r"[^a-zA-Z0-9_-]", "_", options.schema_name)[:64] or "answer"
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": options.json_schema, "strict": False},
        }
    return {"type": "json_object", "schema": options.json_schema}


def parse_completion(response: Any) -> Completion:
    """A ``ChatCompletion`` as our `Completion` (provider, model and cost are set later)."""
    if not response.choices:
        raise ProviderServerError(f"{response.model}: the answer had no choices")
    choice = response.choices[0]
    message = choice.message
    text = message.content or ""
    finish_reason = choice.finish_reason or "stop"
    refusal = getattr(message, "refusal", None)
    if refusal:  # OpenAI structured output: the refusal replaces the content
        text, finish_reason = refusal, REFUSAL
    input_tokens, output_tokens, cached = usage_counts(response.usage)
    return Completion(
        text=text,
        model=response.model or "",
        provider="",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached,
        reasoning_tokens=reasoning_count(response.usage),
        finish_reason=finish_reason,
        confidence=confidence(getattr(choice, "logprobs", None)),
    )


def usage_counts(usage: Any) -> tuple[int, int, int]:
    """``(input incl. cached, output, cached input)`` tokens of a usage object (zeros if none)."""
    if usage is None:
        return 0, 0, 0
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    return usage.prompt_tokens or 0, usage.completion_tokens or 0, cached


def reasoning_count(usage: Any) -> int:
    """Tokens spent reasoning (``completion_tokens_details.reasoning_tokens``), already
    counted in ``completion_tokens``, which is how OpenAI and Groq bill them."""
    details = getattr(usage, "completion_tokens_details", None)
    return getattr(details, "reasoning_tokens", None) or 0


def confidence(logprobs: Any) -> float | None:
    """exp(mean token log-probability): the geometric mean of the tokens' probabilities."""
    tokens = getattr(logprobs, "content", None) or []
    values = [t.logprob for t in tokens if t.logprob is not None]
    return math.exp(sum(values) / len(values)) if values else None


async def stream_events(
    chunks: AsyncIterator[Any], usage_of: UsageOf
) -> AsyncIterator[StreamEvent]:
    """Chunks as text deltas, then one `Completion` once the stream has ended.

    Usage comes in a chunk after the one with ``finish_reason`` (or in Groq's
    ``x_groq``), so the stream is read to its end. A server that never sends
    usage gets zero tokens, not an error. A stream that ends without any
    ``finish_reason`` was cut: it ends without a `Completion`, which
    `RemoteProvider` treats as a break.
    """
    parts: list[str] = []
    finish_reason: str | None = None
    refused = False
    usage = None
    async for chunk in chunks:
        usage = usage_of(chunk) or usage
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            delta = choice.delta
            piece = getattr(delta, "refusal", None)
            refused = refused or bool(piece)
            piece = piece or delta.content
            if piece:
                parts.append(piece)
                yield piece
            finish_reason = choice.finish_reason or finish_reason
    if finish_reason is None:
        return
    input_tokens, output_tokens, cached = usage_counts(usage)
    yield Completion(
        text="".join(parts),
        model="",
        provider="",
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached,
        reasoning_tokens=reasoning_count(usage),
        finish_reason=REFUSAL if refused else finish_reason,
    )


# -- errors ------------------------------------------------------------------------------


def vendor_message(exc: Any) -> str:
    """The vendor's own words for an error (``error.message`` of the body), else the SDK's."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return str(getattr(exc, "message", None) or exc)


def _transport_errors() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(timeouts, other transport failures) of httpx and httpx2, whichever are loaded.

    The ``openai`` SDK runs on httpx2 and wraps stream failures itself; ``groq``
    runs on httpx and lets ``RemoteProtocolError`` and friends out of a stream.
    """
    timeouts: list[type] = [TimeoutError]
    transport: list[type] = [OSError]  # after timeouts: TimeoutError is an OSError
    for name in ("httpx", "httpx2"):
        module = sys.modules.get(name)
        if module is not None:
            timeouts.append(module.TimeoutException)
            transport.append(module.TransportError)
    return tuple(timeouts), tuple(transport)


def translate(exc: Exception, sdk: ModuleType, *, provider: str, model_id: str) -> ProviderError:
    """An ``openai``/``groq`` SDK exception (or a raw transport one) as ours."""
    timeouts, transport = _transport_errors()
    where: dict[str, Any] = {"provider": provider}
    if isinstance(exc, (sdk.APITimeoutError, *timeouts)):
        return ProviderTimeoutError(f"{model_id}: the request timed out", **where)
    if isinstance(exc, (sdk.APIConnectionError, *transport)):
        # The SDKs wrap the transport error as "Connection error."; the cause says more.
        cause = (exc.__cause__ if isinstance(exc, sdk.APIConnectionError) else None) or exc
        return ProviderConnectionError(f"{model_id}: connection failed: {cause!r}", **where)
    if isinstance(exc, sdk.APIStatusError):
        return _from_status(exc, exc.status_code, model_id, where)
    if isinstance(exc, sdk.APIError):  # an error event inside a stream: the server gave up
        return ProviderServerError(f"{model_id}: {vendor_message(exc)}", **where)
    return ProviderError(f"{model_id}: unexpected {type(exc).__name__}: {exc}", **where)


#: Error codes that mean "this model is gone": OpenAI's 404 and Groq's 400 for a
#: decommissioned model.
MODEL_GONE_CODES = frozenset({"model_not_found", "model_decommissioned"})


def _error_code(exc: Any) -> str | None:
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def _from_status(exc: Any, status: int, model_id: str, where: dict[str, Any]) -> ProviderError:
    text = f"{model_id}: {status} {vendor_message(exc)}"
    if status == 404 or _error_code(exc) in MODEL_GONE_CODES:
        return ModelNotFoundError(text, status=status, **where)
    if status == 429:
        wait = retry_after(getattr(exc.response, "headers", None))
        return RateLimitedError(text, retry_after=wait, status=status, **where)
    if status in (401, 403):
        return ProviderAuthError(text, status=status, **where)
    if status == 408:
        return ProviderTimeoutError(text, status=status, **where)
    if status >= 500 or status == 409:  # 409: OpenAI's "retry later" on a lock conflict
        return ProviderServerError(text, status=status, **where)
    return ProviderRequestError(text, status=status, **where)
