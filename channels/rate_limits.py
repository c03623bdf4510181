"""Waiting out a vendor's 429 (Slack ``Retry-After``, Telegram ``retry_after``, Twilio 429)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Longest single wait; a vendor asking for more is treated as a failure.
MAX_WAIT_SECONDS = 60.0


async def waiting_out_rate_limits(
    send: Callable[[], Awaitable[T]],
    *,
    retry_after: Callable[[BaseException], float | None],
    attempts: int = 4,
    max_wait: float = MAX_WAIT_SECONDS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Call ``send``; when it fails with a rate limit, wait as told and call again.

    ``retry_after(exc)`` returns the seconds the vendor asked for, or None when
    ``exc`` is not a rate limit (it is raised at once). The caller holds the
    conversation's turn while waiting, so messages keep their order.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except Exception as exc:
            wait = retry_after(exc)
            if wait is None or attempt == attempts or wait > max_wait:
                raise
            log.warning("rate limited; waiting %.1f s (attempt %d of %d)", wait, attempt, attempts)
            await sleep(max(wait, 0.0))
    raise AssertionError("unreachable")
