"""The one interface every model sits behind: `ModelProvider` and its `Completion`."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn of a conversation as a model sees it."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished answer and what it took to produce it.

    ``cost_usd`` is None when the price of the model is unknown: a missing
    figure is better than a made-up one.
    """

    text: str
    model: str
    provider: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    latency_ms: float = 0.0
    finish_reason: str = "stop"
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        """The ``provider:model`` id that served this answer."""
        return f"{self.provider}:{self.model}"


#: What `ModelProvider.stream` yields: text deltas, then one final `Completion`.
StreamEvent = str | Completion


class ModelProvider(abc.ABC):
    """A model that answers chat messages.

    Implementations translate their vendor's errors into `agents.errors.ProviderError`
    subclasses at the boundary, so callers handle one family of exceptions.
    """

    #: Provider name, the part before the colon of a model id (``local``, ``openai``).
    provider: str
    #: Model name, the part after the colon (``smollm2``, ``gpt-4o-mini``).
    model: str

    @property
    def model_id(self) -> str:
        """The ``provider:model`` id of this provider."""
        return f"{self.provider}:{self.model}"

    @abc.abstractmethod
    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.3,
        response_schema: type | None = None,
    ) -> Completion:
        """Answer ``messages`` in one piece."""

    @abc.abstractmethod
    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.3,
    ) -> AsyncIterator[StreamEvent]:
        """Yield text deltas as the model writes them, then the final `Completion`."""

    async def ready(self) -> bool:
        """Whether the provider can answer now (for health checks); cheap, no model call."""
        return True

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release what the provider holds (connections, threads)."""
