"""Keeping web chat tokens out of the access log.

The stream's URL carries the visitor's token (``EventSource`` cannot send
headers), and uvicorn's access log writes each request's path with its query
string. A filter on the ``uvicorn.access`` logger replaces the token's value
with ``[REDACTED]`` before any handler sees the line. Metrics never name a
path's query (their labels are channels and outcomes).
"""

from __future__ import annotations

import logging

from channels.web.verify import redact_token

ACCESS_LOGGER = "uvicorn.access"


class TokenRedaction(logging.Filter):
    """Hides ``token=...`` in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_token(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact_token(record.msg)
        return True


def redact_tokens_in_access_log() -> None:
    """Install the filter on uvicorn's access logger, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, TokenRedaction) for f in logger.filters):
        logger.addFilter(TokenRedaction())
