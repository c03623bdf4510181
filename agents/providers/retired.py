"""`RetiredModel`: what the factory builds for a model its vendor has retired.

It never sends a request: every call raises `ModelRetiredError` naming the
replacement, which a fallback chain skips and the hybrid treats as a failed
teacher. So a retired model named anywhere (a compare line-up, a judge, a
teacher) costs nothing and stops nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from agents.errors import ModelRetiredError
from agents.providers.base import (
    DEFAULT_OPTIONS,
    CallOptions,
    ChatMessage,
    Completion,
    ModelProvider,
    StreamEvent,
)


class RetiredModel(ModelProvider):
    """Stands in for ``provider:model``; ``note`` says when it retired and what replaces it."""

    def __init__(self, provider: str, model: str, *, note: str) -> None:
        self.provider = provider
        self.model = model
        self.note = note

    def _error(self) -> ModelRetiredError:
        return ModelRetiredError(self.note, provider=self.provider)

    async def complete(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> Completion:
        raise self._error()

    async def stream(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> AsyncIterator[StreamEvent]:
        raise self._error()
        yield  # pragma: no cover - makes this an async generator

    async def ready(self) -> bool:
        return False
