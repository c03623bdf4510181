"""Timeouts, the retry policy and the cooldown: the parts of our one retry loop.

The vendor SDKs retry on their own by default (two retries, up to a minute of
waiting); we set their ``max_retries`` to 0 so that only `RemoteProvider`'s
loop decides, with these figures.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from agents.errors import ProviderError, RateLimitedError


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds: to connect, for a whole call, and between two chunks of a stream.

    The SDK defaults (60 to 600 s) suit batch jobs, not a customer waiting on SMS.
    """

    connect: float = 5.0
    total: float = 30.0
    stream_idle: float = 10.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often to retry, how long to wait, and when to rest a failing provider."""

    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: A 429 asking for a longer wait than this falls back instead of waiting.
    max_retry_after: float = 20.0
    #: Consecutive retryable failures after which the provider cools down.
    failures_before_cooldown: int = 3
    cooldown_seconds: float = 15.0

    def delay(self, error: ProviderError, attempt: int) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``; None means "do not retry".

        A 429 waits what ``Retry-After`` says (if that is not too long); other
        retryable errors back off exponentially with jitter, so many workers
        hitting the same outage do not retry in step.
        """
        if not error.retryable or attempt >= self.max_attempts:
            return None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return backoff * random.uniform(0.5, 1.0)


class Cooldown:
    """Counts consecutive failures of one provider and rests it after too many.

    Process-local by design: a cooldown is a guess that the vendor is down
    right now, and each process makes that guess from its own calls.
    """

    def __init__(self, policy: RetryPolicy, *, clock: Callable[[], float] = time.monotonic):
        self.policy = policy
        self._clock = clock
        self._failures = 0
        self._until = 0.0

    def remaining(self) -> float:
        """Seconds left to rest (0 when the provider may be called)."""
        return max(0.0, self._until - self._clock())

    def failed(self) -> None:
        """Note a retryable failure; start resting after too many in a row."""
        self._failures += 1
        if self._failures >= self.policy.failures_before_cooldown:
            self._until = self._clock() + self.policy.cooldown_seconds
            self._failures = 0

    def succeeded(self) -> None:
        """Note a success: the count starts again."""
        self._failures = 0
        self._until = 0.0


def retry_after(headers: Any) -> float | None:
    """Seconds a 429 asks us to wait: ``retry-after-ms``, or ``Retry-After`` (seconds or date).

    ``headers`` is any mapping with case-insensitive ``get`` (httpx's and
    httpx2's ``Headers`` both are). Unparseable values mean "not said".
    """
    if headers is None:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
