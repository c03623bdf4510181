"""Structured output: a pydantic model in, a validated object out, for any backend.

Every backend gets the schema twice: as ``CallOptions.json_schema``, which the
ones that can enforce it use natively, and as an instruction in the system
prompt, which the others (and JSON-mode vendors, which insist on seeing the
word "JSON") rely on. The answer is then parsed and validated here, once. An
answer that does not validate is sent back with the validation errors, at most
`MAX_REPAIRS` times. Truncation and refusal are told apart from bad JSON: re-asking
a truncated answer with the same token budget would only truncate again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.errors import OutputTruncatedError, RefusalError, StructuredOutputError
from agents.providers.base import REFUSAL, CallOptions, CallRecord, ChatMessage, Completion

#: How many times an invalid answer is sent back with its errors.
MAX_REPAIRS = 2

#: One backend call, as `BackendProvider._complete` makes it.
CompleteCall = Callable[[Sequence[ChatMessage], CallOptions], Awaitable[Completion]]

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


@cache
def schema_of(response_schema: type) -> tuple[str, dict[str, Any]]:
    """The name and JSON schema of a pydantic model (read-only: it is built once per model).

    Building a schema costs milliseconds, which a batch of thousands of
    structured calls would pay each time.
    """
    if not (isinstance(response_schema, type) and issubclass(response_schema, BaseModel)):
        raise TypeError(f"response_schema must be a pydantic model, not {response_schema!r}")
    return response_schema.__name__, response_schema.model_json_schema()


def instructions(schema: dict[str, Any]) -> str:
    """The words that ask for JSON matching ``schema``."""
    return (
        "Answer with one JSON object and nothing else: no prose, no code fence. "
        f"It must match this JSON schema:\n{json.dumps(schema, separators=(',', ':'))}"
    )


def with_instructions(messages: Sequence[ChatMessage], schema: dict[str, Any]) -> list[ChatMessage]:
    """``messages`` with the JSON instructions added to (or as) the system prompt."""
    text = instructions(schema)
    if messages and messages[0].role == "system":
        return [ChatMessage("system", f"{messages[0].content}\n\n{text}"), *messages[1:]]
    return [ChatMessage("system", text), *messages]


def extract_json(text: str) -> str:
    """The JSON in an answer: without a Markdown fence or prose around the object."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        return fenced.group(1)
    start, end = stripped.find("{"), stripped.rfind("}")
    if start > 0 and end > start:  # "Here you go: {...}" from a chatty model
        return stripped[start : end + 1]
    return stripped


def _truncated(completion: Completion, max_tokens: int) -> str:
    """Why the JSON is incomplete, and the fix that applies."""
    if completion.extras.get("context_full"):
        # Cut short before max_tokens: the model's context window was full.
        return (
            f"{completion.model_id} ran out of context after {completion.output_tokens} tokens "
            f"of JSON (the prompt took {completion.input_tokens}); give the model a larger "
            "context (LOCAL_CONTEXT_TOKENS for the embedded model) or a shorter prompt"
        )
    return (
        f"{completion.model_id} stopped at max_tokens={max_tokens} before the JSON "
        "was complete; raise max_tokens"
    )


def validation_errors(exc: ValidationError) -> list[str]:
    """Pydantic's errors as short lines a model (and a person) can act on."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "the answer"
        lines.append(f"{where}: {error['msg']}")
    return lines


async def complete_structured(
    complete: CompleteCall,
    messages: Sequence[ChatMessage],
    options: CallOptions,
) -> Completion:
    """Ask until the answer validates against ``options.response_schema`` (see the module)."""
    response_schema = options.response_schema
    if response_schema is None:
        raise ValueError("complete_structured needs options.response_schema")
    name, schema = schema_of(response_schema)
    conversation = with_instructions(messages, schema)
    spent: list[CallRecord] = []
    errors: list[str] = []
    for attempt in range(MAX_REPAIRS + 1):
        completion = await complete(conversation, options)
        role = "answer" if attempt == 0 else "repair"
        spent.extend(_with_role(completion.call_log, role))
        if completion.finish_reason == REFUSAL or completion.finish_reason == "content_filter":
            raise RefusalError(
                f"{completion.model_id} refused: {completion.text or completion.finish_reason}",
                raw=completion.text,
                calls=spent,
            )
        if completion.finish_reason == "length":
            raise OutputTruncatedError(
                _truncated(completion, options.max_tokens),
                raw=completion.text,
                calls=spent,
            )
        raw = extract_json(completion.text)
        try:
            parsed = response_schema.model_validate_json(raw)  # type: ignore[attr-defined]
        except ValidationError as exc:
            errors = validation_errors(exc)
            conversation = [
                *conversation,
                ChatMessage("assistant", completion.text),
                ChatMessage(
                    "user",
                    "That answer is not valid: " + "; ".join(errors) + ". Answer again with "
                    "only the corrected JSON object.",
                ),
            ]
            continue
        return replace(completion, text=raw, parsed=parsed, calls=tuple(spent))
    raise StructuredOutputError(
        f"{completion.model_id} gave no valid {name} after {MAX_REPAIRS + 1} tries: "
        + "; ".join(errors),
        errors=errors,
        raw=completion.text,
        calls=spent,
    )


def _with_role(calls: Sequence[CallRecord], role: str) -> list[CallRecord]:
    return [call if call.role else replace(call, role=role) for call in calls]
