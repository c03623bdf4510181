"""`OpenAIProvider`: OpenAI's chat completions through the official ``openai`` SDK.

``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` (a proxy, Azure-style gateway, or a
fake in tests) come from the settings. Structured output is native: the
schema goes out as ``response_format: json_schema``. Streams ask for a final
usage chunk (``stream_options.include_usage``), since OpenAI sends none
otherwise. Cached prompt tokens (``prompt_tokens_details.cached_tokens``) are
priced at the cached rate.
"""

from __future__ import annotations

from typing import Any, ClassVar

import openai

from agents.providers.chat_completions import ChatCompletionsProvider


class OpenAIProvider(ChatCompletionsProvider):
    """An OpenAI model (``openai:gpt-6-luna``) behind our retry loop."""

    provider = "openai"
    sdk: ClassVar[Any] = openai
    vendor_name: ClassVar[str] = "openai"
    key_setting: ClassVar[str] = "OPENAI_API_KEY"

    def _build_client(self, api_key: str, base_url: str | None) -> openai.AsyncOpenAI:
        # max_retries=0: our loop is the only one. The SDK's Timeout is per read;
        # RemoteProvider enforces the total and the idle gap between chunks.
        return openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=openai.Timeout(self.timeouts.total, connect=self.timeouts.connect),
        )
