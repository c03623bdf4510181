"""`GeminiProvider`: Google Gemini through its OpenAI-compatible endpoint and the ``openai`` SDK.

Why not Google's ``google-genai`` SDK: this endpoint keeps every guarantee the
other vendors have with the code they already share. The ``openai`` SDK's own
retries are off (``max_retries=0``) and its exception classes are the ones
`agents.providers.openai_wire` translates, so our one retry loop, 429 waits and
fail-fast 400/404s apply unchanged; streams are the same SSE chunks with a
final usage chunk (``stream_options.include_usage``); structured output is
``response_format: json_schema``; ``reasoning_effort`` maps to Gemini's
thinking level; usage is ``prompt_tokens``/``completion_tokens`` (with
``reasoning_tokens`` when the endpoint reports them), priced from the catalogue.
No second SDK, HTTP client or error family to keep in step.

``GEMINI_API_KEY`` is sent as a bearer token; ``GEMINI_BASE_URL`` replaces
Google's endpoint (a proxy, or the fake server in tests).
"""

from __future__ import annotations

from typing import Any, ClassVar

import openai

from agents.providers.chat_completions import ChatCompletionsProvider

#: Google's OpenAI-compatible endpoint of the Gemini API.
DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"


class GeminiProvider(ChatCompletionsProvider):
    """A Gemini model (``gemini:gemini-3.5-flash-lite``) behind our retry loop."""

    provider = "gemini"
    sdk: ClassVar[Any] = openai
    vendor_name: ClassVar[str] = "gemini"
    key_setting: ClassVar[str] = "GEMINI_API_KEY"
    # The compatible endpoint takes OpenAI's newer limit name, and no logprobs.
    supports_logprobs: ClassVar[bool] = False

    def _build_client(self, api_key: str, base_url: str | None) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url or DEFAULT_BASE_URL,
            max_retries=0,
            timeout=openai.Timeout(self.timeouts.total, connect=self.timeouts.connect),
        )
