"""`GroqProvider`: Groq's OpenAI-shaped API through the official ``groq`` SDK.

Groq's quirks, as its API documents them:

- streamed usage arrives in the last chunk's ``x_groq.usage`` (newer
  deployments may also fill ``usage``; either is read);
- structured output is JSON mode (``response_format: json_object``):
  ``json_schema`` works only on some models, so the schema travels in the
  prompt (`agents.providers.structured` puts it there) and is validated here;
- ``logprobs`` is not supported, so it is never sent (the hybrid provider
  falls back to a self-rating for confidence);
- ``GROQ_TIMEOUT`` replaces the total timeout and ``GROQ_MAX_TOKENS`` caps
  ``max_tokens`` (both through `VendorSettings`).

``GROQ_BASE_URL`` is the bare host: the SDK appends ``/openai/v1/...``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import groq

from agents.providers.chat_completions import ChatCompletionsProvider


class GroqProvider(ChatCompletionsProvider):
    """A Groq-hosted model (``groq:openai/gpt-oss-20b``) behind our retry loop."""

    provider = "groq"
    sdk: ClassVar[Any] = groq
    vendor_name: ClassVar[str] = "groq"
    key_setting: ClassVar[str] = "GROQ_API_KEY"
    structured_kind: ClassVar[str] = "json_object"
    supports_logprobs: ClassVar[bool] = False
    # Usage comes in x_groq without asking; not sending stream_options keeps
    # older deployments (which rejected it) working.
    stream_usage_option = False

    def _build_client(self, api_key: str, base_url: str | None) -> groq.AsyncGroq:
        return groq.AsyncGroq(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=groq.Timeout(self.timeouts.total, connect=self.timeouts.connect),
        )

    def usage_of(self, chunk: Any) -> Any:
        x_groq = getattr(chunk, "x_groq", None)
        usage = getattr(x_groq, "usage", None)
        return usage if usage is not None else getattr(chunk, "usage", None)

    def request(self, messages: Any, options: Any) -> dict[str, Any]:
        kwargs = super().request(messages, options)
        if "response_format" in kwargs:  # JSON mode takes no schema key
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs
