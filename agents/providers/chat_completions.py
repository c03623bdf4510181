"""`ChatCompletionsProvider`: `RemoteProvider` over an OpenAI-shaped SDK.

The base of `OpenAIProvider`, `GroqProvider` and `OpenAICompatibleProvider`:
the request, parsing and error translation come from
`agents.providers.openai_wire`; each vendor module only builds its SDK client
and states its quirks as class attributes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from types import ModuleType
from typing import Any, ClassVar

from agents.errors import ProviderError
from agents.providers.base import CallOptions, ChatMessage, Completion, StreamEvent
from agents.providers.openai_wire import (
    parse_completion,
    response_format,
    stream_events,
    to_messages,
    translate,
)
from agents.providers.vendor import VendorProvider


class ChatCompletionsProvider(VendorProvider):
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

    def request(self, messages: Sequence[ChatMessage], options: CallOptions) -> dict[str, Any]:
        """The keyword arguments of ``chat.completions.create`` for one call.

        Only what the model accepts goes out (its catalogue entry): reasoning
        models refuse ``temperature`` and ``logprobs`` with a 400, and take a
        ``reasoning_effort`` (low for chat) instead.
        """
        accepts = self.accepts
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": to_messages(messages),
            self.max_tokens_param: self.capped(options.max_tokens),
        }
        if accepts.temperature:
            kwargs["temperature"] = options.temperature
        effort = accepts.effort(options.reasoning_effort)
        if effort is not None:
            kwargs["reasoning_effort"] = effort
        fmt = response_format(options, self.structured_kind)
        if fmt is not None:
            kwargs["response_format"] = fmt
        if options.logprobs and self.supports_logprobs and accepts.logprobs:
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
