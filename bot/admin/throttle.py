"""Wrong console tokens, counted per client address: a guesser is slowed, the team is not.

The console's token is shared and may be short (a business picks it); without a
limit a script could try thousands a minute. After `FAILED_LOGINS` wrong tokens
from one address in the window, that address gets 429 until the oldest wrong try
leaves the window; a right token from another address is unaffected. Counted in
each web process's memory by `limits` (a maintained rate-limit library): with
several web processes a guesser gets that many tries per process, still slow.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

#: Wrong tokens one address may send in the window.
FAILED_LOGINS = parse("10/15 minutes")
_NAMESPACE = "console-login"


class LoginThrottle:
    """Counts wrong console tokens per client address (a moving window)."""

    def __init__(self, limit: RateLimitItem = FAILED_LOGINS) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._limit = limit

    async def wait_seconds(self, client: str) -> int:
        """0 when ``client`` may try a token now, else the seconds until it may."""
        if await self._limiter.test(self._limit, _NAMESPACE, client):
            return 0
        stats = await self._limiter.get_window_stats(self._limit, _NAMESPACE, client)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def failed(self, client: str) -> None:
        """Count a wrong token from ``client``."""
        await self._limiter.hit(self._limit, _NAMESPACE, client)
