"""`ProviderFactory`: turns ``provider:model`` ids and settings into providers.

Vendor modules are imported only when their provider is built, so a missing
package or key disables that provider alone, with a clear message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agents.errors import ProviderUnavailableError, UnknownProviderError
from agents.providers.base import ModelProvider


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """What the factory needs to know; `bot.settings` fills it from the environment."""

    default_provider: str = "local"
    local_model_path: Path | None = None
    local_max_concurrency: int = 2
    local_context_tokens: int = 2048


#: Builds a provider for a model name with the given settings.
ProviderBuilder = Callable[[str, ProviderSettings], ModelProvider]


def _build_local(model: str, settings: ProviderSettings) -> ModelProvider:
    from agents.providers.local import LocalProvider

    return LocalProvider(
        model,
        model_path=settings.local_model_path,
        max_concurrency=settings.local_max_concurrency,
        n_ctx=settings.local_context_tokens,
    )


def _build_function(model: str, _settings: ProviderSettings) -> ModelProvider:
    """``function:echo``, or ``function:package.module:callable`` for any reply function."""
    from agents.providers.function import FunctionProvider, echo

    if model == "echo":
        return FunctionProvider(echo, model="echo")
    module_name, _, attribute = model.partition(":")
    try:
        fn = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ProviderUnavailableError(
            f"function provider: cannot import {model!r} (expected package.module:callable)",
            provider="function",
        ) from exc
    return FunctionProvider(fn, model=model)


#: Providers by name, with the model each uses when the id names none.
BUILDERS: dict[str, tuple[ProviderBuilder, str]] = {
    "local": (_build_local, "smollm2"),
    "function": (_build_function, "echo"),
}


def provider_names() -> list[str]:
    """The provider names this build knows, for settings validation and messages."""
    return sorted(BUILDERS)


def parse_model_id(model_id: str) -> tuple[str, str]:
    """Split ``provider:model``; the model may itself contain colons (``ollama:llama3.1:8b``).

    A bare provider name (``local``) means that provider's default model.
    """
    provider, _, model = model_id.strip().partition(":")
    provider = provider.lower()
    if provider not in BUILDERS:
        raise UnknownProviderError(
            f"unknown model provider {provider!r} in {model_id!r}; "
            f"known providers: {', '.join(provider_names())}",
            provider=provider,
        )
    return provider, model or BUILDERS[provider][1]


class ProviderFactory:
    """Builds providers once and shares them: one loaded model per process."""

    def __init__(self, settings: ProviderSettings | None = None) -> None:
        self.settings = settings or ProviderSettings()
        self._cache: dict[str, ModelProvider] = {}

    def create(self, model_id: str) -> ModelProvider:
        """The provider for ``model_id`` (``local:smollm2``, or just ``local``)."""
        provider, model = parse_model_id(model_id)
        key = f"{provider}:{model}"
        if key not in self._cache:
            builder, _ = BUILDERS[provider]
            self._cache[key] = builder(model, self.settings)
        return self._cache[key]

    def default(self) -> ModelProvider:
        """The provider named by ``AI_PROVIDER``."""
        return self.create(self.settings.default_provider)

    async def aclose(self) -> None:
        """Close every provider built so far."""
        for provider in self._cache.values():
            await provider.aclose()
        self._cache.clear()
