"""The Anthropic Messages API wire: request shape, stop reasons, usage and error bodies.

Plain functions over the SDK's objects and plain data: `agents.providers.anthropic`
puts them on top of `RemoteProvider`, and tests can check each one directly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agents.providers.base import REFUSAL, ChatMessage

#: Anthropic's stop reasons in the vendor-neutral words of `Completion.finish_reason`.
_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "stop",  # our forced structured-output tool: the answer is complete
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": REFUSAL,
}

#: The ``error.type`` of an ``error`` event that arrives inside a 200 stream, as an HTTP status.
STREAM_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}

# Tool names must match ^[a-zA-Z0-9_-]{1,64}$; a schema name is a class name, but be safe.
_TOOL_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def finish_reason(stop_reason: str | None) -> str:
    """Anthropic's ``stop_reason`` as a `Completion.finish_reason`."""
    if stop_reason is None:
        return "stop"
    return _FINISH_REASONS.get(stop_reason, stop_reason)


def to_anthropic(messages: Sequence[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The ``system`` parameter and the ``messages`` list of a Messages API request.

    System turns are joined into the one ``system`` parameter. Consecutive
    turns of the same role are merged: the API rejects two user (or two
    assistant) messages in a row, which our history can hold (a customer who
    sent two texts before the bot answered).
    """
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns: list[dict[str, str]] = []
    for message in messages:
        if message.role == "system":
            continue
        if turns and turns[-1]["role"] == message.role:
            turns[-1]["content"] = f"{turns[-1]['content']}\n\n{message.content}"
        else:
            turns.append({"role": message.role, "content": message.content})
    return system, turns


def tool_name(schema_name: str) -> str:
    """A schema name as a valid tool name (``^[a-zA-Z0-9_-]{1,64}$``)."""
    return _TOOL_NAME_UNSAFE.sub("_", schema_name)[:64] or "answer"


def vendor_error(exc: Any) -> tuple[str | None, str]:
    """``error.type`` and ``error.message`` from Anthropic's error body, if it has them."""
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return error.get("type"), str(error["message"])
    return None, str(exc.message)


def transport_kinds(exc: Exception) -> set[str]:
    """The names of the httpx (or httpx2) exception classes ``exc`` is an instance of."""
    return {c.__name__ for c in type(exc).__mro__ if c.__module__.startswith("httpx")}


_USAGE_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


def usage_figures(*reports: Any) -> dict[str, int]:
    """The usage figures of ``reports``, a later one overriding where it gives a figure.

    ``message_delta`` carries the final ``output_tokens``; newer API versions
    repeat the input and cache figures there too, older ones leave them out.
    """
    usage = dict.fromkeys(_USAGE_FIELDS, 0)
    for report in reports:
        for field in _USAGE_FIELDS:
            value = getattr(report, field, None)
            if value is not None:
                usage[field] = value
    return usage
