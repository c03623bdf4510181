"""``LOG_FORMAT=json``: one JSON object per line, with the ids of the message at hand.

A standard-library `logging.Formatter` (no extra package): the record it
formats is already masked by the record factory (`agents.privacy.log_masking`),
so personal data is hidden exactly as in text lines. The ids come from a
context variable the pipeline sets with `bind` (one line where a message's
work starts); each job runs in its own task, so its ids stay its own.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from agents.privacy.log_masking import mask_log_text

_CONTEXT: ContextVar[dict[str, Any]] = ContextVar("bot_log_context", default={})  # noqa: B039 - never mutated
#: The record attributes a plain record has; anything else was passed as ``extra``.
_PLAIN = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "_masks_pii"}


def bind(**ids: Any) -> None:
    """Add ``ids`` (message_id, conversation_id, channel) to this task's log lines."""
    _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in ids.items() if v is not None}})


def context() -> dict[str, Any]:
    """The ids bound in this task (tracing reads them too)."""
    return dict(_CONTEXT.get())


class JsonFormatter(logging.Formatter):
    """timestamp, level, logger, message, the bound ids, the trace id, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_CONTEXT.get(),
        }
        trace_id = _trace_id()
        if trace_id:
            line["trace_id"] = trace_id
        for key, value in vars(record).items():
            if key not in _PLAIN and key not in line:
                # ``extra`` fields never reach a text line, so the record factory left them
                # alone: procrastinate's carry the job, whose lock names the sender.
                kept = value if isinstance(value, int | float | bool) else str(value)
                line[key] = mask_log_text(kept) if isinstance(kept, str) else kept
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def _trace_id() -> str | None:
    """The current OpenTelemetry trace's id, when tracing is on and a span is open."""
    try:
        from opentelemetry import trace
    except ImportError:  # the otel extra is not installed
        return None
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
