"""`ChatCompletionsProvider`: `RemoteProvider` over an OpenAI-shaped SDK.

The base of `OpenAIProvider`, `GroqProvider` and `OpenAICompatibleProvider`:
the request, parsing and error translation come from
`agents.providers.openai_wire`; each vendor module only builds its SDK client
and states its quirks as class attributes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from agents.errors import ProviderError, ProviderUnavailableError
from agents.providers.base import CallOptions, ChatMessage, Completion, StreamEvent
from agents.providers.openai_wire import (
    parse_completion,
    response_format,
    stream_events,
    to_messages,
    translate,
)
from agents.providers.pricing import PriceTable
from agents.providers.remote import RemoteProvider, SpendGate
from agents.providers.resilience import RetryPolicy, Timeouts

if TYPE_CHECKING:
    from agents.providers.factory import ProviderFactory


class ChatCompletionsProvider(RemoteProvider):
    """A `RemoteProvider` speaking chat completions through an OpenAI-shaped SDK.

    Subclasses set ``sdk`` (the SDK module, for its exception classes),
    implement `_build_client`, and adjust the class attributes to their
    vendor's quirks. Without an API key building still succeeds (a missing
    key disables this provider alone): `ready` is False and calls raise
    `ProviderUnavailableError`, which a fallback chain skips.
    """

    native_structured_output = True
    #: The SDK module whose exceptions `translate_error` knows.
    sdk: ClassVar[ModuleType]
    #: Where `from_factory` finds this provider's settings.
    vendor_name: ClassVar[str]
    #: The setting that holds the key, for the missing-key message.
    key_setting: ClassVar[str] = "OPENAI_API_KEY"
    #: ``json_schema`` (native) or ``json_object`` (JSON mode) for structured output.
    structured_kind: ClassVar[str] = "json_schema"
    #: OpenAI's name for the limit; the older ``max_tokens`` is what other servers know.
    max_tokens_param: ClassVar[str] = "max_completion_tokens"
    supports_logprobs: ClassVar[bool] = True
    #: Whether to ask for a usage chunk at the end of a stream (``stream_options``).
    stream_usage_option: bool = True

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        max_tokens_cap: int | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        prices: PriceTable | None = None,
        spend_gate: SpendGate | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            model, timeouts=timeouts, retry=retry, prices=prices, spend_gate=spend_gate, sleep=sleep
        )
        self.base_url = base_url
        self.max_tokens_cap = max_tokens_cap
        self._client: Any = self._build_client(api_key, base_url) if api_key else None

    @classmethod
    def from_factory(cls, model: str, factory: ProviderFactory) -> ChatCompletionsProvider:
        """Build from the factory's settings: key, base URL, limits, prices, budget."""
        settings = factory.settings
        vendor = settings.vendor(cls.vendor_name)
        timeouts = settings.timeouts
        if vendor.timeout is not None:  # GROQ_TIMEOUT and the like
            timeouts = replace(timeouts, total=vendor.timeout)
        return cls(
            model,
            api_key=vendor.api_key,
            base_url=vendor.base_url,
            max_tokens_cap=vendor.max_tokens,
            timeouts=timeouts,
            retry=settings.retry,
            prices=factory.prices,
            spend_gate=factory.spend_gate,  # type: ignore[arg-type]
        )

    def _build_client(self, api_key: str, base_url: str | None) -> Any:
        """The SDK's async client, with its own retries off and our timeouts."""
        raise NotImplementedError

    def request(self, messages: Sequence[ChatMessage], options: CallOptions) -> dict[str, Any]:
        """The keyword arguments of ``chat.completions.create`` for one call."""
        max_tokens = options.max_tokens
        if self.max_tokens_cap is not None:
            max_tokens = min(max_tokens, self.max_tokens_cap)
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": to_messages(messages),
            self.max_tokens_param: max_tokens,
            "temperature": options.temperature,
        }
        fmt = response_format(options, self.structured_kind)
        if fmt is not None:
            kwargs["response_format"] = fmt
        if options.logprobs and self.supports_logprobs:
            kwargs["logprobs"] = True
        return kwargs

    def usage_of(self, chunk: Any) -> Any:
        """The usage object a stream chunk carries, if any (OpenAI: the last chunk's)."""
        return chunk.usage

    async def _call(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        response = await self._client.chat.completions.create(**self.request(messages, options))
        return parse_completion(response)

    async def _open_stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        stream = await self._create_stream(self.request(messages, options))
        try:
            async for event in stream_events(stream, self.usage_of):
                yield event
        finally:
            await stream.close()

    async def _create_stream(self, kwargs: dict[str, Any]) -> Any:
        if self.stream_usage_option:
            kwargs = {**kwargs, "stream_options": {"include_usage": True}}
        return await self._client.chat.completions.create(**kwargs, stream=True)

    def translate_error(self, exc: Exception) -> ProviderError:
        return translate(exc, self.sdk, provider=self.provider, model_id=self.model_id)

    def _check_may_call(self) -> None:
        if self._client is None:
            raise ProviderUnavailableError(
                f"{self.key_setting} is not set: {self.model_id} cannot be called "
                "(set it, or choose another AI_PROVIDER)",
                provider=self.provider,
            )
        super()._check_may_call()

    async def ready(self) -> bool:
        """True when a key is configured (no request is made)."""
        return self._client is not None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
