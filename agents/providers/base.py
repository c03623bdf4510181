"""The one interface every model sits behind: `ModelProvider` and its `Completion`.

Two layers:

- `ModelProvider` is what callers use (agents, /compare, the router):
  ``complete(messages, options)`` and ``stream(messages, options)``, where one
  `CallOptions` says everything a call asks for beyond its messages. Providers
  that answer through others (fallback, hybrid, scrubbing) derive from
  `agents.providers.wrapper.WrapperProvider`.
- `BackendProvider` is the base of providers that talk to one model (local,
  function, the vendors). It turns ``CallOptions.response_schema`` into a
  validated object once, for all of them (`agents.providers.structured`), so
  each backend only answers `_complete` and `_stream`.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]

#: finish_reason values with a meaning of their own beyond the vendors' ``stop``/``length``.
INTERRUPTED = "interrupted"  # a stream broke after its first token; the text is partial
HANDOFF = "handoff"  # the hybrid student was unsure: a human should answer
REFUSAL = "refusal"  # the model declined to answer


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn of a conversation as a model sees it."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class CallOptions:
    """What one call to a model asks for, beyond the messages.

    ``response_schema`` (a pydantic model) asks for structured output: the
    answer is validated and returned in `Completion.parsed`. It applies to
    `ModelProvider.complete` only, since a stream cannot be validated before
    it is read. A backend that can enforce a schema natively (OpenAI
    ``json_schema``, Anthropic tool input, llama.cpp grammars) uses
    `json_schema`; others rely on the instructions that
    `agents.providers.structured` puts in the messages. ``logprobs`` asks for
    token log-probabilities, from which a backend that has them sets
    `Completion.confidence`. ``reasoning_effort`` is asked of models that take
    one (None: the catalogue's chat effort, ``low``); a backend sends only the
    parameters its model accepts (`agents.providers.catalogue.Capabilities`).
    """

    max_tokens: int = 256
    temperature: float = 0.3
    response_schema: type | None = None
    logprobs: bool = False
    reasoning_effort: str | None = None

    @property
    def json_schema(self) -> dict[str, Any] | None:
        """The JSON schema of ``response_schema`` (None without one)."""
        if self.response_schema is None:
            return None
        from agents.providers.structured import schema_of  # structured imports this module

        return schema_of(self.response_schema)[1]

    @property
    def schema_name(self) -> str:
        """The name of ``response_schema`` (``answer`` without one), for vendors that want one."""
        return "answer" if self.response_schema is None else self.response_schema.__name__


#: The options of a call that asks for nothing special.
DEFAULT_OPTIONS = CallOptions()


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call to one model, as the ``model_calls`` table stores it.

    A reply can take several: a 429 then a success, a fallback, a student and
    its teacher, a structured answer asked twice. Each is recorded.
    """

    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    #: Of ``output_tokens``, those the model spent reasoning (billed as output).
    reasoning_tokens: int = 0
    cost_usd: float | None = 0.0
    latency_ms: float = 0.0
    outcome: str = "ok"  # ok, truncated, interrupted, rate_limited, timeout, error, ...
    error: str | None = None
    role: str | None = None  # answer, student, teacher, self_rating, repair, ...

    @property
    def model_id(self) -> str:
        """The ``provider:model`` id of the model called."""
        return f"{self.provider}:{self.model}"


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished answer and what it took to produce it.

    ``cost_usd`` is None when the price of the model is unknown: a missing
    figure is better than a made-up one. ``input_tokens`` includes
    ``cached_input_tokens``. ``calls`` lists every model call behind this
    answer when there was more than one (retries, fallbacks, hybrid); use
    `call_log` to read it. ``parsed`` holds the validated object when the call
    asked for a ``response_schema``.
    """

    text: str
    model: str
    provider: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    latency_ms: float = 0.0
    finish_reason: str = "stop"
    cached_input_tokens: int = 0
    #: Of ``output_tokens``, those the model spent reasoning (billed as output).
    reasoning_tokens: int = 0
    confidence: float | None = None
    parsed: Any = None
    calls: tuple[CallRecord, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        """The ``provider:model`` id that served this answer."""
        return f"{self.provider}:{self.model}"

    @property
    def outcome(self) -> str:
        """``ok``, or how the answer fell short (``truncated``, ``interrupted``, ...)."""
        return {"length": "truncated", "stop": "ok", "tool_use": "ok", "end_turn": "ok"}.get(
            self.finish_reason, self.finish_reason
        )

    def as_call(self, *, role: str | None = None) -> CallRecord:
        """This answer as one `CallRecord`."""
        return CallRecord(
            provider=self.provider,
            model=self.model,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cached_input_tokens=self.cached_input_tokens,
            reasoning_tokens=self.reasoning_tokens,
            cost_usd=self.cost_usd,
            latency_ms=self.latency_ms,
            outcome=self.outcome,
            role=role,
        )

    @property
    def call_log(self) -> tuple[CallRecord, ...]:
        """Every model call behind this answer (at least the one that produced it)."""
        return self.calls or (self.as_call(),)

    def after(self, earlier: Sequence[CallRecord]) -> Completion:
        """This completion with ``earlier`` calls (failed attempts, repairs) logged before it."""
        if not earlier:
            return self
        return replace(self, calls=(*earlier, *self.call_log))

    @property
    def total_cost_usd(self) -> float | None:
        """The cost of every call behind this answer; None if any price is unknown."""
        costs = [call.cost_usd for call in self.call_log]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)


#: What `ModelProvider.stream` yields: text deltas, then one final `Completion`.
StreamEvent = str | Completion


class ModelProvider(abc.ABC):
    """A model that answers chat messages.

    Implementations translate their vendor's errors into `agents.errors.ProviderError`
    subclasses at the boundary, so callers handle one family of exceptions.
    """

    #: Provider name, the part before the colon of a model id (``local``, ``openai``).
    provider: str
    #: Model name, the part after the colon (``smollm2``, ``gpt-6-luna``).
    model: str

    @property
    def model_id(self) -> str:
        """The ``provider:model`` id of this provider."""
        return f"{self.provider}:{self.model}"

    @abc.abstractmethod
    async def complete(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> Completion:
        """Answer ``messages`` in one piece.

        With a pydantic ``options.response_schema`` the answer is validated and
        returned in `Completion.parsed`; `agents.errors.StructuredOutputError`,
        `OutputTruncatedError` or `RefusalError` say why when it cannot be.
        """

    @abc.abstractmethod
    def stream(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> AsyncIterator[StreamEvent]:
        """Yield text deltas as the model writes them, then the final `Completion`."""

    def cooling_down(self) -> float:
        """Seconds until this provider takes calls again after repeated failures (0: now)."""
        return 0.0

    async def ready(self) -> bool:
        """Whether the provider can answer now (for health checks); cheap, no model call."""
        return True

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release what the provider holds (connections, threads)."""


class BackendProvider(ModelProvider):
    """A provider backed by one model: implements `_complete` and `_stream`.

    Structured output comes free: `complete` validates against
    ``options.response_schema`` for every backend.
    """

    #: Whether `_complete` enforces ``CallOptions.json_schema`` itself.
    native_structured_output: bool = False

    async def complete(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> Completion:
        if options.response_schema is None:
            return await self._complete(messages, options)
        from agents.providers.structured import complete_structured

        return await complete_structured(self._complete, messages, options)

    def stream(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> AsyncIterator[StreamEvent]:
        if options.response_schema is not None:
            raise ValueError("a stream cannot be validated against a response_schema: use complete")
        return self._stream(messages, options)

    @abc.abstractmethod
    async def _complete(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        """One answer to ``messages`` (retries, if any, happen inside)."""

    @abc.abstractmethod
    def _stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        """Text deltas of one answer to ``messages``, then its `Completion`."""
