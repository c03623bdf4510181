"""Masking personal data in every log record, whoever logs it.

A log record factory (not a handler filter) so that every record is masked
wherever it goes: our handlers, uvicorn's, pytest's caplog. It runs only for
records that pass their logger's level, after which the message is formatted
anyway. An exception's traceback is formatted and masked too, since error
messages often quote the input (``not a phone number: '+1555...'``).

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
from collections.abc import Mapping
from typing import Any

from agents.privacy.pii import mask_pii

_MARK = "_masks_pii"


def mask_record(record: logging.LogRecord, *, default_region: str = "US") -> logging.LogRecord:
    """``record`` with phone numbers, e-mails and card numbers in its text masked."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it later, as it would
        return record
    masked = mask_pii(message, default_region=default_region)
    if masked != message:
        _mask_message(record, masked, default_region)
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_pii(
            logging.Formatter().formatException(record.exc_info), default_region=default_region
        )
    if record.stack_info:
        record.stack_info = mask_pii(record.stack_info, default_region=default_region)
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
    if message is not None and mask_pii(message, default_region=default_region) == message:
        record.msg, record.args = msg, args
    else:
        record.msg, record.args = masked, ()


def _mask_value(value: object, default_region: str) -> object:
    """``value`` itself when it shows no personal data; else a masked stand-in."""
    if isinstance(value, str):
        return mask_pii(value, default_region=default_region)
    text, shown = str(value), repr(value)
    masked_text = mask_pii(text, default_region=default_region)
    masked_shown = mask_pii(shown, default_region=default_region)
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
