"""Masking personal data in every log record, whoever logs it.

A log record factory (not a handler filter) so that every record is masked
wherever it goes: our handlers, uvicorn's, pytest's caplog. It runs only for
records that pass their logger's level, after which the message is formatted
anyway. An exception's traceback is formatted and masked too, since error
messages often quote the input (``not a phone number: '+1555...'``).

A name cannot be told from other words, but database errors quote row values
in known places: PostgreSQL's ``DETAIL:  Key (name)=(Jane Doe) already
exists`` and ``Failing row contains (...)``, its ``invalid input syntax for
type ...: "..."``, asyncpg's ``invalid input for query argument $1: ...`` and
SQLAlchemy's ``[parameters: ...]`` (hidden at the source too: the engine has
``hide_parameters``). Those values become ``[VALUES]``.

A record keeps the shape of its ``args``: each argument is masked in place.
Formatters may read the arguments rather than the message: uvicorn's access
formatter unpacks them as ``(client, method, path, http version, status)``,
and a record whose ``args`` were dropped made logging print a ``TypeError``
traceback for every request. Only when masking the arguments one by one is
not enough (a value split across two) does the masked message replace
``msg``, with empty ``args``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from agents.privacy.pii import mask_pii

_MARK = "_masks_pii"

# Where database errors quote the values of a row or a statement (see above).
_ROW_VALUES = re.compile(
    r"(?P<keep>DETAIL:\s+(?:Failing row contains|.*?Key \(.*?\)=)\s*)\(.*\)"
    r'|(?P<keep2>invalid input syntax for type [\w ]+: )".*"'
    r"|(?P<keep3>invalid input for query argument \$\d+: ).+"
    r"|(?P<keep4>\[parameters: ).*\]"
)
_ROW_VALUE_HINTS = ("DETAIL:", "invalid input", "[parameters: ")


def redact_row_values(text: str) -> str:
    """``text`` with the row and statement values a database error quotes as ``[VALUES]``."""
    if not any(hint in text for hint in _ROW_VALUE_HINTS):
        return text

    def redact(match: re.Match[str]) -> str:
        keep = match["keep"] or match["keep2"] or match["keep3"] or match["keep4"]
        return keep + ("[VALUES]]" if match["keep4"] else "[VALUES]")

    return _ROW_VALUES.sub(redact, text)


def mask_log_text(text: str, *, default_region: str = "US") -> str:
    """``text`` as a log line may show it: personal data masked, quoted row values redacted."""
    return mask_pii(redact_row_values(text), default_region=default_region)


def mask_record(record: logging.LogRecord, *, default_region: str = "US") -> logging.LogRecord:
    """``record`` with phone numbers, e-mails and card numbers in its text masked."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it later, as it would
        return record
    masked = mask_log_text(message, default_region=default_region)
    if masked != message:
        _mask_message(record, masked, default_region)
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_log_text(
            logging.Formatter().formatException(record.exc_info), default_region=default_region
        )
    if record.stack_info:
        record.stack_info = mask_log_text(record.stack_info, default_region=default_region)
    return record


def _mask_message(record: logging.LogRecord, masked: str, default_region: str) -> None:
    """Mask ``msg`` and each argument, keeping ``args`` a tuple (or mapping) as it was."""

    def mask(value: object) -> object:
        return _mask_value(value, default_region)

    msg = mask(record.msg)
    args: Any = record.args
    if isinstance(args, tuple):
        args = tuple(mask(arg) for arg in args)
    elif isinstance(args, Mapping):
        args = {key: mask(value) for key, value in args.items()}
    try:  # as LogRecord.getMessage formats
        message = str(msg) % args if args else str(msg)
    except Exception:  # a masked number under %d, say: fall back to the masked text
        message = None
    if message is not None and mask_log_text(message, default_region=default_region) == message:
        record.msg, record.args = msg, args
    else:
        record.msg, record.args = masked, ()


def _mask_value(value: object, default_region: str) -> object:
    """``value`` itself when it shows no personal data; else a masked stand-in."""
    if isinstance(value, str):
        return mask_log_text(value, default_region=default_region)
    text, shown = str(value), repr(value)
    masked_text = mask_log_text(text, default_region=default_region)
    masked_shown = mask_log_text(shown, default_region=default_region)
    if masked_text == text and masked_shown == shown:
        return value
    return _Masked(masked_text, masked_shown)


class _Masked:
    """What an argument holding personal data becomes: its masked ``%s`` and ``%r``."""

    __slots__ = ("_repr", "_str")

    def __init__(self, text: str, shown: str) -> None:
        self._str, self._repr = text, shown

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return self._repr


def install_log_masking(*, default_region: str = "US") -> None:
    """Mask personal data in every log record from now on (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs), default_region=default_region)

    setattr(factory, _MARK, True)
    factory.previous = previous  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def uninstall_log_masking() -> None:
    """Back to the record factory in place before `install_log_masking` (for tests)."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        logging.setLogRecordFactory(current.previous)  # type: ignore[attr-defined]
