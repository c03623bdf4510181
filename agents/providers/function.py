"""`FunctionProvider`: a model that is a Python function.

The test double for every provider, shipped with the package (like pydantic-ai's
`FunctionModel`): tests and benchmarks inject it instead of patching vendor SDKs.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from agents.providers.base import (
    BackendProvider,
    CallOptions,
    ChatMessage,
    Completion,
    StreamEvent,
)
from agents.providers.pricing import ModelPrice

#: The price of a function model; the same type as the vendors' price table uses.
Price = ModelPrice

#: What the function returns: the reply text, or a whole `Completion`.
FunctionResult = str | Completion
ReplyFunction = Callable[
    [Sequence[ChatMessage]],
    FunctionResult | Awaitable[FunctionResult] | AsyncIterator[str],
]


def count_tokens(text: str) -> int:
    """A rough token count (words and punctuation runs), good enough for a double."""
    return len(text.split())


class FunctionProvider(BackendProvider):
    """Answers by calling ``fn(messages)``; records every call in ``calls`` and ``options``.

    Token counts are word counts of the prompt and the reply, and cost follows
    ``price``, so code that logs usage can be tested with known figures. A
    function may return a whole `Completion` to set anything else (a
    confidence, a finish reason); an exception it raises reaches the caller,
    so a `ProviderError` subclass simulates any vendor failure. The function
    sees the messages only: what a call asked for (`CallOptions`) is in
    ``options``, for a test to check; with a ``response_schema`` the messages
    already carry the JSON instructions, as a real model's would.
    """

    provider = "function"

    def __init__(
        self,
        fn: ReplyFunction,
        *,
        model: str = "function",
        price: Price | None = None,
    ) -> None:
        self._fn = fn
        self.model = model
        self.price = price or Price()
        self.calls: list[list[ChatMessage]] = []
        #: The options of each call, in the order of ``calls``.
        self.options: list[CallOptions] = []

    def _called(self, messages: Sequence[ChatMessage], options: CallOptions) -> None:
        self.calls.append(list(messages))
        self.options.append(options)

    async def _complete(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        started = time.perf_counter()
        self._called(messages, options)
        result: Any = self._fn(messages)
        if inspect.isasyncgen(result):  # a model still writing: its pieces, joined
            result = "".join([str(piece) async for piece in result])
        elif inspect.isawaitable(result):
            result = await result
        if isinstance(result, Completion):
            return result
        return self._completion(messages, result, started)

    def _completion(self, messages: Sequence[ChatMessage], text: str, started: float) -> Completion:
        input_tokens = sum(count_tokens(m.content) for m in messages)
        output_tokens = count_tokens(text)
        return Completion(
            text=text,
            model=self.model,
            provider=self.provider,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=self.price.cost(input_tokens, output_tokens),
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    async def _stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        started = time.perf_counter()
        self._called(messages, options)
        result: Any = self._fn(messages)
        if inspect.isasyncgen(result):  # a model still writing: each piece as it comes
            pieces: list[str] = []
            async for piece in result:
                pieces.append(str(piece))
                yield str(piece)
            yield self._completion(messages, "".join(pieces), started)
            return
        if inspect.isawaitable(result):
            result = await result
        completion = (
            result
            if isinstance(result, Completion)
            else self._completion(messages, result, started)
        )
        # Word by word, keeping the separators, so joined deltas equal the text.
        words = completion.text.split(" ")
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word
        yield completion


def echo(messages: Sequence[ChatMessage]) -> str:
    """A reply function that repeats the last user message."""
    last = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return f"echo: {last}"
