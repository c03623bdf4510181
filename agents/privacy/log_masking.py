"""Masking personal data in every log record, whoever logs it.

A log record factory (not a handler filter) so that every record is masked
wherever it goes: our handlers, uvicorn's, pytest's caplog. It runs only for
records that pass their logger's level, after which the message is formatted
anyway. The formatted message replaces ``msg`` (and ``args`` are dropped); an
exception's traceback is formatted and masked too, since error messages
often quote the input (``not a phone number: '+1555...'``).
"""

from __future__ import annotations

import logging
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
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_pii(
            logging.Formatter().formatException(record.exc_info), default_region=default_region
        )
    if record.stack_info:
        record.stack_info = mask_pii(record.stack_info, default_region=default_region)
    return record


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
