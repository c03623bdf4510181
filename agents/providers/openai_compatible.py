"""`OpenAICompatibleProvider`: any ``/v1/chat/completions`` server (``AI_PROVIDER=ollama``).

Ollama, vLLM, llama.cpp's server, LM Studio: one wire, many dialects. Model
ids read ``ollama:llama3.1:8b``; ``OLLAMA_BASE_URL`` (default
``http://localhost:11434/v1``) points anywhere. Calls are free (the price
table counts ``ollama`` as the operator's own hardware).

The dialects this tolerates:

- no key: the SDK insists on one, so a placeholder is sent (vLLM's
  ``--api-key`` is honoured through ``OLLAMA_API_KEY``);
- ``max_tokens``, not OpenAI's newer ``max_completion_tokens``, which
  llama.cpp's server ignores;
- structured output as ``json_object`` plus ``schema`` (llama.cpp turns the
  schema into a grammar; others use the instructions in the prompt);
- streams whose usage never comes (llama.cpp's Python server): zero tokens,
  cost 0, no error;
- servers that reject ``stream_options``: the first 400/422 that names it turns
  the option off for this provider and the same request is sent again
  without it, once.
"""

from __future__ import annotations

from typing import Any, ClassVar

import openai

from agents.providers.chat_completions import ChatCompletionsProvider

DEFAULT_BASE_URL = "http://localhost:11434/v1"
#: What the SDK is given when the server wants no key.
PLACEHOLDER_KEY = "not-needed"


class OpenAICompatibleProvider(ChatCompletionsProvider):
    """A model on an OpenAI-compatible server (``ollama:llama3.1:8b``)."""

    provider = "ollama"
    sdk: ClassVar[Any] = openai
    vendor_name: ClassVar[str] = "ollama"
    key_setting: ClassVar[str] = "OLLAMA_API_KEY"
    structured_kind: ClassVar[str] = "json_object"
    max_tokens_param: ClassVar[str] = "max_tokens"

    def __init__(self, model: str, **kwargs: Any) -> None:
        kwargs["base_url"] = kwargs.get("base_url") or DEFAULT_BASE_URL
        kwargs["api_key"] = kwargs.get("api_key") or PLACEHOLDER_KEY
        super().__init__(model, **kwargs)

    def _build_client(self, api_key: str, base_url: str | None) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=openai.Timeout(self.timeouts.total, connect=self.timeouts.connect),
        )

    async def _create_stream(self, kwargs: dict[str, Any]) -> Any:
        if not self.stream_usage_option:
            return await super()._create_stream(kwargs)
        try:
            return await super()._create_stream(kwargs)
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            # The SDK's message carries the whole error body, wherever the server put it.
            if "stream_options" not in str(exc):
                raise
        self.stream_usage_option = False
        return await super()._create_stream(kwargs)
