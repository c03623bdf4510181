"""What one call to a remote model ends as, in the terms the rest of the bot uses.

`RemoteProvider`'s retry loop decides *whether* to try again; this module
says *what* each ending is: a vendor's exception as one of `agents.errors`
(with the catalogue's replacement when the vendor no longer knows the model),
a failed attempt as a `CallRecord` for the ``model_calls`` log, a stream that
broke after its first token as an ``interrupted`` `Completion`, and an empty
reply whose whole ``max_tokens`` went to reasoning as a
`ReasoningExhaustedError` (not an empty answer to store).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from agents.errors import (
    ModelNotFoundError,
    ProviderError,
    ProviderTimeoutError,
    ReasoningExhaustedError,
)
from agents.providers.base import INTERRUPTED, CallRecord, Completion
from agents.providers.catalogue import ModelInfo

log = logging.getLogger(__name__)


def as_provider_error(
    exc: BaseException,
    *,
    provider: str,
    model_id: str,
    total_timeout: float,
    translate: Callable[[Exception], ProviderError],
    info: ModelInfo | None,
) -> ProviderError:
    """``exc`` as one of ours; cancellation (not an `Exception`) is re-raised untouched."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, TimeoutError):
        return ProviderTimeoutError(
            f"{model_id}: no answer within {total_timeout:.1f} s", provider=provider
        )
    if isinstance(exc, Exception):
        error = translate(exc)
        if isinstance(error, ModelNotFoundError):
            return with_replacement(error, info)
        return error
    raise exc  # CancelledError and friends pass through untouched


def with_replacement(error: ModelNotFoundError, info: ModelInfo | None) -> ModelNotFoundError:
    """The vendor's "no such model", with the catalogue's replacement when it knows one."""
    replacement = info.replacement if info is not None else None
    if not replacement:
        return error
    return ModelNotFoundError(
        f"{error}; the model catalogue names {replacement} as its replacement",
        provider=error.provider,
        status=error.status,
    )


def failed_call(error: ProviderError, *, provider: str, model: str, started: float) -> CallRecord:
    """The log entry of an attempt that failed with ``error`` (it cost nothing we know of)."""
    return CallRecord(
        provider=provider,
        model=model,
        latency_ms=(time.perf_counter() - started) * 1000,
        outcome=error.outcome,
        error=str(error),
    )


def interrupted(
    parts: Sequence[str], error: ProviderError, *, provider: str, model: str, started: float
) -> Completion:
    """What a stream said before it broke, ended as ``interrupted``."""
    # The vendor's usage figures come in the final event, which never came:
    # tokens are unknown, so the cost is too (None, not a guess).
    return Completion(
        text="".join(parts),
        model=model,
        provider=provider,
        cost_usd=None,
        latency_ms=(time.perf_counter() - started) * 1000,
        finish_reason=INTERRUPTED,
        extras={"error": str(error)},
    )


def check_not_empty(completion: Completion, failed: Sequence[CallRecord]) -> None:
    """Refuse an empty answer cut at ``max_tokens``: the model spent it all reasoning.

    The error carries every call so far, this one included (it was billed).
    """
    if completion.finish_reason != "length" or completion.text.strip():
        return
    error = ReasoningExhaustedError(
        f"{completion.model_id}: spent all its output tokens ({completion.output_tokens}, "
        f"{completion.reasoning_tokens} of them reasoning) before answering; "
        "raise max_tokens or lower the reasoning effort",
        provider=completion.provider,
    )
    call = replace(completion.as_call(), outcome=error.outcome, error=str(error))
    error.calls = (*failed, call)
    log.warning("%s", error)
    raise error
