"""`RemoteProvider`: the base of every provider that calls a model over HTTP.

It holds the project's one retry loop. A vendor module implements three
things: `_call` (one request, one `Completion` with usage), `_open_stream`
(one streaming request, deltas then a `Completion`) and `translate_error`
(the vendor SDK's exceptions into `agents.errors`). Everything else lives
here, once: timeouts, retries with backoff and ``Retry-After``, the
cooldown, the budget gate, pricing, and what a broken stream means.
What each ending of a call becomes (a vendor error in our terms, a failed
attempt's record, an interrupted stream, a reply that spent its whole
``max_tokens`` reasoning) is `agents.providers.outcomes`. A reply that spent
its budget reasoning (`ReasoningExhaustedError`) is not retried, since the
same request would spend the same, and not stored as an empty answer; a
fallback chain moves on. A model the vendor no longer knows
(`ModelNotFoundError`, told with the catalogue's replacement) is not retried
either.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Protocol

from agents.errors import (
    BudgetExceededError,
    ProviderConnectionError,
    ProviderCoolingDownError,
    ProviderError,
    ProviderTimeoutError,
    ReasoningExhaustedError,
    StreamBrokenError,
)
from agents.providers.base import (
    BackendProvider,
    CallOptions,
    CallRecord,
    ChatMessage,
    Completion,
    StreamEvent,
)
from agents.providers.catalogue import Capabilities, ModelInfo
from agents.providers.outcomes import as_provider_error, check_not_empty, failed_call, interrupted
from agents.providers.pricing import PriceTable
from agents.providers.resilience import Cooldown, RetryPolicy, Timeouts

log = logging.getLogger(__name__)


class SpendGate(Protocol):
    """Says whether billed models may be called now (`bot.costs.budget` implements it)."""

    def paid_calls_allowed(self) -> bool:
        """False once the month's budget is spent and the hard cap is on."""
        ...


class RemoteProvider(BackendProvider):
    """A model behind an HTTP API, called through its vendor's SDK.

    ``info`` is the model's catalogue entry (None for a model it lacks): what
    the model accepts, and the replacement to name when the vendor says it is gone.
    """

    info: ModelInfo | None = None

    @property
    def accepts(self) -> Capabilities:
        """The parameters this model takes (all of them, for a model the catalogue lacks)."""
        return self.info.accepts if self.info is not None else Capabilities()

    def __init__(
        self,
        model: str,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        prices: PriceTable | None = None,
        spend_gate: SpendGate | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.model = model
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.prices = prices or PriceTable()
        self.spend_gate = spend_gate
        self.cooldown = Cooldown(self.retry)
        self._sleep = sleep

    # -- what a vendor module implements -------------------------------------------------

    @abc.abstractmethod
    async def _call(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        """One request. Usage in the `Completion`; cost and latency are filled in here."""

    @abc.abstractmethod
    def _open_stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        """One streaming request: text deltas, then a `Completion` with usage."""

    @abc.abstractmethod
    def translate_error(self, exc: Exception) -> ProviderError:
        """The vendor SDK's exception as one of ours (timeouts and 5xx retryable)."""

    # -- the retry loop ------------------------------------------------------------------

    def cooling_down(self) -> float:
        return self.cooldown.remaining()

    async def _complete(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        self._check_may_call()
        failed: list[CallRecord] = []
        for attempt in range(1, self.retry.max_attempts + 1):
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.timeouts.total):
                    completion = await self._call(messages, options)
            except Exception as exc:
                error = self._as_provider_error(exc)
                failed.append(self._failed_call(error, started))
                await self._before_retry(error, attempt, failed)
                continue
            self.cooldown.succeeded()
            priced = self._priced(completion, started)
            check_not_empty(priced, failed)
            return priced.after(failed)
        raise AssertionError("unreachable: the last attempt raises")  # pragma: no cover

    async def _stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        """Stream with retries until the first token; after it, a break ends the answer.

        Before the first token nothing has reached the reader, so a failure is
        retried and then raised (the fallback chain moves on). After it, the
        reader has seen text: we end with what was said and finish_reason
        ``interrupted`` rather than repeat the answer from another model.
        """
        self._check_may_call()
        failed: list[CallRecord] = []
        for attempt in range(1, self.retry.max_attempts + 1):
            started = time.perf_counter()
            parts: list[str] = []
            events = self._open_stream(messages, options)
            try:
                async for event in self._paced(events, started, parts):
                    if isinstance(event, Completion):
                        self.cooldown.succeeded()
                        priced = self._priced(event, started)
                        check_not_empty(priced, failed)
                        yield priced.after(failed)
                        return
                    parts.append(event)
                    yield event
                raise StreamBrokenError(  # the vendor closed without its final event
                    f"{self.model_id}: stream ended without a final message",
                    provider=self.provider,
                )
            except ReasoningExhaustedError:
                raise  # nothing was said: the chain falls back; retrying would spend the same
            except Exception as exc:
                error = self._as_provider_error(exc)
                if parts:
                    self.cooldown.failed()
                    log.warning("%s: stream broke after the first token: %s", self.model_id, error)
                    broken = interrupted(
                        parts, error, provider=self.provider, model=self.model, started=started
                    )
                    yield broken.after(failed)
                    return
                failed.append(self._failed_call(error, started))
                await self._before_retry(error, attempt, failed)
            finally:
                await _close(events)

    async def _paced(
        self, events: AsyncIterator[StreamEvent], started: float, parts: list[str]
    ) -> AsyncIterator[StreamEvent]:
        """``events`` with the total deadline and, between chunks, the idle timeout."""
        deadline = started + self.timeouts.total
        iterator = aiter(events)
        while True:
            remaining = deadline - time.perf_counter()
            wait = min(self.timeouts.stream_idle, remaining) if parts else remaining
            try:
                async with asyncio.timeout(max(wait, 0.0)):
                    event = await anext(iterator)
            except StopAsyncIteration:
                return
            except TimeoutError:
                what = "between stream chunks" if parts and wait < remaining else "in total"
                raise ProviderTimeoutError(
                    f"{self.model_id}: no answer within {wait:.1f} s {what}",
                    provider=self.provider,
                ) from None
            yield event

    async def _before_retry(
        self, error: ProviderError, attempt: int, failed: list[CallRecord]
    ) -> None:
        """Wait before the next attempt, or raise ``error`` (with the calls) if there is none."""
        if (
            attempt == 1
            and attempt < self.retry.max_attempts
            and isinstance(error, ProviderConnectionError)
        ):
            # Most often a kept-alive connection the server closed a moment ago (its idle
            # timeout): the pool opens a new one. Retried at once, and not counted against
            # the vendor, or a burst reusing several such connections would cool it down.
            log.info("%s: %s; retrying at once on a new connection", self.model_id, error)
            return
        if error.retryable:
            self.cooldown.failed()
        delay = self.retry.delay(error, attempt)
        if delay is None or self.cooldown.remaining() > 0:
            error.calls = tuple(failed)
            raise error
        log.info("%s: %s; retrying in %.2f s", self.model_id, error, delay)
        await self._sleep(delay)

    # -- helpers -------------------------------------------------------------------------

    def _check_may_call(self) -> None:
        remaining = self.cooldown.remaining()
        if remaining > 0:
            raise ProviderCoolingDownError(
                f"{self.model_id} is cooling down for {remaining:.1f} s after repeated failures",
                provider=self.provider,
            )
        if (
            self.spend_gate is not None
            and self.prices.is_paid(self.provider, self.model)
            and not self.spend_gate.paid_calls_allowed()
        ):
            raise BudgetExceededError(
                f"{self.model_id} refused: this month's budget is spent (BUDGET_HARD_CAP=true)",
                provider=self.provider,
            )

    def _as_provider_error(self, exc: BaseException) -> ProviderError:
        return as_provider_error(
            exc,
            provider=self.provider,
            model_id=self.model_id,
            total_timeout=self.timeouts.total,
            translate=self.translate_error,
            info=self.info,
        )

    def _failed_call(self, error: ProviderError, started: float) -> CallRecord:
        return failed_call(error, provider=self.provider, model=self.model, started=started)

    def _priced(self, completion: Completion, started: float) -> Completion:
        cost = self.prices.cost(
            self.provider,
            self.model,
            input_tokens=completion.input_tokens,
            output_tokens=completion.output_tokens,
            cached_input_tokens=completion.cached_input_tokens,
        )
        return replace(
            completion,
            provider=self.provider,
            model=self.model,
            cost_usd=cost,
            latency_ms=(time.perf_counter() - started) * 1000,
        )


async def _close(events: AsyncIterator[StreamEvent]) -> None:
    """Close a vendor stream we stopped reading, so its connection goes back to the pool."""
    close = getattr(events, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:
            log.debug("closing a stream failed", exc_info=True)
