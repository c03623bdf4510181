"""`AnthropicProvider`: Claude through the official ``anthropic`` SDK (the Messages API).

Only what is Anthropic's lives here: the request shape (the system prompt is
a parameter, not a message; turns must alternate), the usage fields (cache
reads and writes are reported apart from ``input_tokens``), the event stream,
structured output as a forced tool call, and the errors (529 "overloaded",
``retry-after-ms``, an ``error`` event in the middle of a stream). Retries,
timeouts, pricing and the cooldown are `RemoteProvider`'s; the translation
functions are in `agents.providers.anthropic_wire`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, ClassVar, TypeGuard

from agents.errors import (
    ModelNotFoundError,
    ProviderAuthError,
    ProviderConnectionError,
    ProviderError,
    ProviderRequestError,
    ProviderServerError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RateLimitedError,
    StreamBrokenError,
)
from agents.providers.anthropic_wire import (
    STREAM_ERROR_STATUS,
    finish_reason,
    to_anthropic,
    tool_name,
    transport_kinds,
    usage_figures,
    vendor_error,
)
from agents.providers.base import CallOptions, ChatMessage, Completion, StreamEvent
from agents.providers.resilience import retry_after
from agents.providers.vendor import VendorProvider

try:
    import anthropic
except ImportError:  # pragma: no cover - a dependency; guarded so only this provider is lost
    anthropic = None  # type: ignore[assignment]


class AnthropicProvider(VendorProvider):
    """Claude models (``anthropic:claude-haiku-5-5``) over the Messages API.

    Without an API key the provider is still built (so a chain that names it
    loads), but `ready` is False and every call raises
    `ProviderUnavailableError`, which a fallback chain skips.
    """

    provider = "anthropic"
    native_structured_output = True

    vendor_name: ClassVar[str] = "anthropic"
    key_setting: ClassVar[str] = "ANTHROPIC_API_KEY"

    def _build_client(self, api_key: str, base_url: str | None) -> Any:
        if anthropic is None:  # pragma: no cover - see the guarded import
            raise ProviderUnavailableError(
                "the anthropic package is not installed: pip install anthropic",
                provider=self.provider,
            )
        return anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,  # None: ANTHROPIC_BASE_URL or api.anthropic.com
            max_retries=0,  # RemoteProvider's loop is the only one
            # The SDK's own Timeout type: anthropic>=2 runs on httpx2, a fork of httpx.
            timeout=anthropic.Timeout(self.timeouts.total, connect=self.timeouts.connect),
        )

    # -- RemoteProvider ------------------------------------------------------------------

    async def _call(self, messages: Sequence[ChatMessage], options: CallOptions) -> Completion:
        message = await self._client.messages.create(**self._request(messages, options))
        text = "".join(block.text for block in message.content if block.type == "text")
        if options.json_schema is not None:
            # The forced tool's input is the structured answer; structured.py validates it.
            tool_input = next((b.input for b in message.content if b.type == "tool_use"), None)
            if tool_input is not None:
                text = json.dumps(tool_input)
        stop_details = getattr(message, "stop_details", None)  # newer SDKs only
        return self._completion(
            text, message.stop_reason, stop_details, usage_figures(message.usage)
        )

    async def _open_stream(
        self, messages: Sequence[ChatMessage], options: CallOptions
    ) -> AsyncIterator[StreamEvent]:
        client = self._client
        stream = await client.messages.create(**self._request(messages, options), stream=True)
        try:
            parts: list[str] = []
            start: Any = None  # message_start: input and cache figures, a placeholder output
            end: Any = None  # message_delta: stop_reason, the cumulative output_tokens
            finished = False
            async for event in stream:
                if event.type == "message_start":
                    start = event.message.usage
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    if event.delta.text:
                        parts.append(event.delta.text)
                        yield event.delta.text
                elif event.type == "message_delta":
                    end = event
                elif event.type == "message_stop":
                    finished = True
            if finished and end is not None:  # else RemoteProvider reports an early end
                stop_details = getattr(end.delta, "stop_details", None)
                usage = usage_figures(start, end.usage)
                yield self._completion("".join(parts), end.delta.stop_reason, stop_details, usage)
        finally:
            await stream.close()

    def translate_error(self, exc: Exception) -> ProviderError:
        """The SDK's (and httpx's) exceptions as ours; see the module docstring."""
        name = self.model_id
        if anthropic is not None:
            if isinstance(exc, anthropic.APITimeoutError):
                return ProviderTimeoutError(f"{name}: timed out", provider=self.provider)
            if isinstance(exc, anthropic.APIConnectionError):
                if _broke_mid_answer(exc.__cause__):
                    # Newer SDKs wrap a body cut mid-stream too: classed as unwrapped (below).
                    return self.translate_error(exc.__cause__)
                return ProviderConnectionError(
                    f"{name}: cannot reach {self._base_url()}: {exc.__cause__ or exc}",
                    provider=self.provider,
                )
            if isinstance(exc, anthropic.APIStatusError):
                return self._status_error(exc)
            if isinstance(exc, anthropic.APIError):  # e.g. a response the SDK could not parse
                return ProviderServerError(f"{name}: {exc}", provider=self.provider)
        # Inside a stream the SDK reads the body itself: transport errors surface
        # unwrapped, from httpx or (anthropic>=2) its fork httpx2, hence the names.
        kinds = transport_kinds(exc)
        if "TimeoutException" in kinds:
            return ProviderTimeoutError(f"{name}: timed out", provider=self.provider)
        if "ConnectError" in kinds:
            return ProviderConnectionError(f"{name}: cannot connect: {exc}", provider=self.provider)
        if "TransportError" in kinds:
            return StreamBrokenError(
                f"{name}: the connection broke mid-answer: {exc or type(exc).__name__}",
                provider=self.provider,
            )
        return ProviderError(f"{name}: {type(exc).__name__}: {exc}", provider=self.provider)

    # -- helpers -------------------------------------------------------------------------

    def _base_url(self) -> str:
        return str(self._client.base_url) if self._client is not None else "the Anthropic API"

    def _request(self, messages: Sequence[ChatMessage], options: CallOptions) -> dict[str, Any]:
        system, turns = to_anthropic(messages)
        max_tokens = self.capped(options.max_tokens)
        request: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "messages": turns,
            # No temperature: the Messages API of anthropic>=2 takes no sampling
            # parameters (the SDK rejects the keyword), so the model's default applies.
        }
        if system:
            request["system"] = system
        effort = self.accepts.effort(options.reasoning_effort)
        if effort is not None:  # adaptive-thinking models: low effort for a chat turn
            request["output_config"] = {"effort": effort}
        if options.json_schema is not None:
            # Native structured output: one tool whose input schema is the answer's,
            # and tool_choice forcing the model to call it.
            tool = tool_name(options.schema_name)
            request["tools"] = [
                {
                    "name": tool,
                    "description": f"Give your answer as a {tool} object.",
                    "input_schema": options.json_schema,
                }
            ]
            request["tool_choice"] = {"type": "tool", "name": tool}
        return request

    def _completion(
        self, text: str, stop_reason: str | None, stop_details: Any, usage: dict[str, int]
    ) -> Completion:
        # Anthropic's input_tokens counts only the uncached part; ours is the total.
        # Cache writes are billed at 1.25x the input rate; we price them at the input
        # rate (ModelPrice has no write rate), a small underestimate when caching.
        cache_read = usage["cache_read_input_tokens"]
        explanation = getattr(stop_details, "explanation", None)  # why it refused, if said
        return Completion(
            text=text,
            model=self.model,
            provider=self.provider,
            input_tokens=usage["input_tokens"] + cache_read + usage["cache_creation_input_tokens"],
            output_tokens=usage["output_tokens"],
            cached_input_tokens=cache_read,
            finish_reason=finish_reason(stop_reason),
            extras={"refusal": explanation} if explanation else {},
        )

    def _status_error(self, exc: Any) -> ProviderError:
        status = exc.status_code
        kind, detail = vendor_error(exc)
        if status < 400:  # an `error` event inside a 200 stream: judge it by its type
            status = STREAM_ERROR_STATUS.get(kind or "", 500)
        message = f"{self.model_id}: {status} {kind or 'error'}: {detail}"
        if status == 429:
            return RateLimitedError(
                message,
                provider=self.provider,
                status=status,
                retry_after=retry_after(exc.response.headers),
            )
        if status in (401, 403):
            return ProviderAuthError(message, provider=self.provider, status=status)
        if status == 404:  # not_found_error: most often a retired or mistyped model
            return ModelNotFoundError(message, provider=self.provider, status=status)
        if status == 408:
            return ProviderTimeoutError(message, provider=self.provider, status=status)
        if status >= 500:  # 529 is Anthropic's "overloaded": wait and retry, then fall back
            return ProviderServerError(message, provider=self.provider, status=status)
        return ProviderRequestError(message, provider=self.provider, status=status)


def _broke_mid_answer(cause: BaseException | None) -> TypeGuard[Exception]:
    """Whether ``cause`` is a transport error after the connection was made (a body cut
    short), not a failure to connect or a timeout."""
    if not isinstance(cause, Exception):
        return False
    kinds = transport_kinds(cause)
    return "TransportError" in kinds and not kinds & {"ConnectError", "TimeoutException"}
