"""The exception family of `agents`: every model or agent failure is one of these.

Vendor SDK exceptions are translated into these at the boundary (each vendor
module's ``translate_error``), so the retry loop, the fallback chain and the
orchestrator reason about one family. ``retryable`` is what the retry loop
reads: True means "try again, then fall back"; False means "fail fast".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.providers.base import CallRecord


class AgentError(Exception):
    """Root of the errors raised by `agents`."""


class ProviderError(AgentError):
    """A model provider could not answer.

    ``calls`` holds the model calls made before giving up (failed attempts
    included), so they can be logged to ``model_calls`` all the same.
    """

    #: The ``model_calls.outcome`` a call that failed this way records.
    outcome = "error"

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        retryable: bool = False,
        status: int | None = None,
        calls: Sequence[CallRecord] = (),
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.retryable = retryable
        self.status = status
        self.calls: tuple[CallRecord, ...] = tuple(calls)


class UnknownProviderError(ProviderError):
    """A model id names a provider this build does not have."""


class ProviderUnavailableError(ProviderError):
    """A provider exists but cannot run here (missing key, package or file)."""

    outcome = "unavailable"


class ModelRetiredError(ProviderUnavailableError):
    """The catalogue says the vendor retired this model: no request is sent."""

    outcome = "retired"


class ModelFileMissingError(ProviderUnavailableError):
    """The GGUF file a local model needs is not where it was expected."""


class ProviderRequestError(ProviderError):
    """The vendor refused the request itself (400, 404, 422): retrying cannot help."""

    outcome = "rejected"


class ModelNotFoundError(ProviderRequestError):
    """The vendor does not know the model (404, ``model_not_found``, decommissioned)."""

    outcome = "model_not_found"


class ReasoningExhaustedError(ProviderError):
    """The model spent its whole ``max_tokens`` reasoning and wrote no answer."""

    outcome = "reasoning_exhausted"


class ProviderAuthError(ProviderRequestError):
    """The key is missing, wrong or not allowed this model (401, 403)."""

    outcome = "auth_error"


class RetryableProviderError(ProviderError):
    """A failure that may pass: retry with backoff, then fall back."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("retryable", True)
        super().__init__(message, **kwargs)


class RateLimitedError(RetryableProviderError):
    """429: the vendor asks us to slow down, for ``retry_after`` seconds if it says."""

    outcome = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderServerError(RetryableProviderError):
    """5xx, or Anthropic's 529 "overloaded"."""

    outcome = "server_error"


class ProviderTimeoutError(RetryableProviderError):
    """No answer (or no next stream chunk) within the configured time."""

    outcome = "timeout"


class ProviderConnectionError(RetryableProviderError):
    """The vendor could not be reached (refused, reset, DNS)."""

    outcome = "connection_error"


class StreamBrokenError(RetryableProviderError):
    """A stream ended before its first token; the caller may fall back."""

    outcome = "stream_broken"


class ProviderCoolingDownError(ProviderError):
    """Skipped: the provider failed repeatedly and rests for a few seconds."""

    outcome = "cooling_down"


class BudgetExceededError(ProviderError):
    """BUDGET_HARD_CAP is on and this month's budget is spent: paid models refuse."""

    outcome = "budget_exceeded"


class AllProvidersFailedError(ProviderError):
    """Every provider of a fallback chain failed or was skipped.

    ``skipped`` says, per member, why it did not answer (model, reason, detail).
    """

    def __init__(
        self, message: str, *, skipped: Sequence[dict[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.skipped = list(skipped)


class OutputError(AgentError):
    """A model answered, but not with what was asked for.

    ``calls`` holds the model calls spent getting here, for the cost log.
    """

    def __init__(self, message: str, *, raw: str = "", calls: Sequence[CallRecord] = ()) -> None:
        super().__init__(message)
        self.raw = raw
        self.calls: tuple[CallRecord, ...] = tuple(calls)


class StructuredOutputError(OutputError):
    """The answer did not validate against the schema, even after re-asking.

    ``errors`` are the validation errors of the last attempt, in words.
    """

    def __init__(self, message: str, *, errors: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = list(errors)


class OutputTruncatedError(OutputError):
    """The answer hit ``max_tokens`` before it was complete."""


class RefusalError(OutputError):
    """The model declined to answer (a refusal or a content filter)."""
