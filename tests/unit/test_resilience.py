"""The retry policy and the cooldown: the figures our one retry loop follows."""

import pytest

from agents.errors import (
    ProviderAuthError,
    ProviderServerError,
    ProviderTimeoutError,
    RateLimitedError,
)
from agents.providers.resilience import Cooldown, RetryPolicy


def test_a_429_waits_what_retry_after_says():
    policy = RetryPolicy()
    assert policy.delay(RateLimitedError("slow down", retry_after=1.5), attempt=1) == 1.5


def test_a_429_asking_for_too_long_a_wait_falls_back_instead():
    policy = RetryPolicy(max_retry_after=5)
    assert policy.delay(RateLimitedError("slow down", retry_after=60), attempt=1) is None


@pytest.mark.parametrize("attempt", [1, 2])
def test_server_errors_back_off_exponentially_with_jitter(attempt):
    policy = RetryPolicy(base_delay=0.5, max_delay=8)
    delay = policy.delay(ProviderServerError("503"), attempt=attempt)
    ceiling = 0.5 * 2 ** (attempt - 1)
    assert ceiling / 2 <= delay <= ceiling


def test_no_retry_after_the_last_attempt_or_for_a_request_error():
    policy = RetryPolicy(max_attempts=3)
    assert policy.delay(ProviderTimeoutError("slow"), attempt=3) is None
    assert policy.delay(ProviderAuthError("bad key"), attempt=1) is None


def test_a_provider_cools_down_after_repeated_failures_and_recovers():
    now = [100.0]
    cooldown = Cooldown(
        RetryPolicy(failures_before_cooldown=3, cooldown_seconds=15), clock=lambda: now[0]
    )

    cooldown.failed()
    cooldown.failed()
    assert cooldown.remaining() == 0
    cooldown.failed()
    assert cooldown.remaining() == 15
    now[0] += 10
    assert cooldown.remaining() == 5
    now[0] += 6
    assert cooldown.remaining() == 0


def test_a_success_resets_the_count():
    cooldown = Cooldown(RetryPolicy(failures_before_cooldown=2))
    cooldown.failed()
    cooldown.succeeded()
    cooldown.failed()
    assert cooldown.remaining() == 0
