"""`ProviderFactory`: turns ``provider:model`` ids and settings into providers.

Vendor modules are imported only when their provider is built, so a missing
package or key disables that provider alone, with a clear message. The
factory also builds chains: `chain` puts ``AI_FALLBACKS`` and the last resort
(the embedded model, by default) behind any primary, and `for_role` gives the
router, each agent, the /compare judge and /enrich the model their setting names.

What each model costs, accepts and when it retires is the model catalogue's
(`agents.providers.catalogue`), as is each vendor's default model. A model its
vendor has retired is never called: a chain leaves it out, a role whose model
retired uses the default chain, and `create` gives a stand-in that refuses
without a request (`bot.preflight` says so once, at start).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from agents.errors import ModelRetiredError, ProviderUnavailableError, UnknownProviderError
from agents.providers.base import ModelProvider
from agents.providers.catalogue import ModelCatalogue, ModelInfo, load_catalogue
from agents.providers.pricing import PriceTable
from agents.providers.settings import ProviderSettings

if TYPE_CHECKING:
    from agents.providers.remote import SpendGate
    from agents.providers.tutor_pairs import PairLog

log = logging.getLogger(__name__)


#: Builds a provider for a model name; the factory gives settings and shared parts.
ProviderBuilder = Callable[[str, "ProviderFactory"], ModelProvider]


def _build_local(model: str, factory: ProviderFactory) -> ModelProvider:
    from agents.providers.local import LocalProvider

    settings = factory.settings
    return LocalProvider(
        model,
        model_path=settings.local_model_path,
        max_concurrency=settings.local_max_concurrency,
        n_ctx=settings.local_context_tokens,
    )


def _build_function(model: str, _factory: ProviderFactory) -> ModelProvider:
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


def _vendor_builder(module: str, class_name: str) -> ProviderBuilder:
    """A builder that imports ``agents.providers.<module>`` only when first used."""

    def build(model: str, factory: ProviderFactory) -> ModelProvider:
        provider_class = getattr(importlib.import_module(f"agents.providers.{module}"), class_name)
        return provider_class.from_factory(model, factory)

    return build


def _build_hybrid(_model: str, factory: ProviderFactory) -> ModelProvider:
    from agents.providers.hybrid import HybridProvider

    return HybridProvider.from_factory(factory)


#: Providers by name, with the model each uses when the id names none (None: the
#: catalogue's default, `agents/providers/models.yml`).
BUILDERS: dict[str, tuple[ProviderBuilder, str | None]] = {
    "local": (_build_local, "smollm2"),
    "function": (_build_function, "echo"),
    "openai": (_vendor_builder("openai", "OpenAIProvider"), None),
    "anthropic": (_vendor_builder("anthropic", "AnthropicProvider"), None),
    "groq": (_vendor_builder("groq", "GroqProvider"), None),
    "gemini": (_vendor_builder("gemini", "GeminiProvider"), None),
    "ollama": (_vendor_builder("openai_compatible", "OpenAICompatibleProvider"), None),
    "hybrid": (_build_hybrid, "default"),
}

#: Providers that send text to another company: scrubbed when PII_SCRUB_CLOUD is on.
CLOUD_PROVIDERS = frozenset({"openai", "anthropic", "groq", "gemini"})
#: The setting that holds each cloud vendor's key.
KEY_SETTINGS = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "groq": "GROQ_API_KEY",
    "gemini": "GEMINI_API_KEY",
}

#: Other names accepted for a provider.
ALIASES = {"openai_compatible": "ollama", "openai-compatible": "ollama"}


def provider_names() -> list[str]:
    """The provider names this build knows, for settings validation and messages."""
    return sorted(BUILDERS)


def parse_model_id(
    model_id: str,
    default_models: dict[str, str] | None = None,
    catalogue: ModelCatalogue | None = None,
) -> tuple[str, str]:
    """Split ``provider:model``; the model may itself contain colons (``ollama:llama3.1:8b``).

    A bare provider name (``local``) means that provider's default model: its
    setting (``default_models``), else the catalogue's.
    """
    provider, _, model = model_id.strip().partition(":")
    provider = ALIASES.get(provider.lower(), provider.lower())
    if provider not in BUILDERS:
        raise UnknownProviderError(
            f"unknown model provider {provider!r} in {model_id!r}; "
            f"known providers: {', '.join(provider_names())}",
            provider=provider,
        )
    if model:
        return provider, model
    default = (default_models or {}).get(provider) or BUILDERS[provider][1]
    default = default or (catalogue or load_catalogue()).default_model(provider)
    if not default:
        raise UnknownProviderError(f"{model_id!r} names no model and {provider} has no default")
    return provider, default


class ProviderFactory:
    """Builds providers once and shares them: one loaded model, one HTTP pool per vendor.

    ``spend_gate`` (the budget) and ``pair_log`` (the hybrid's tutor pairs)
    are handed to the providers that use them; the runtime supplies both.
    """

    def __init__(
        self,
        settings: ProviderSettings | None = None,
        *,
        prices: PriceTable | None = None,
        catalogue: ModelCatalogue | None = None,
        spend_gate: SpendGate | None = None,
        pair_log: PairLog | None = None,
    ) -> None:
        self.settings = settings or ProviderSettings()
        self.catalogue = catalogue or load_catalogue(self.settings.models_file)
        self.prices = prices or PriceTable(catalogue=self.catalogue)
        self.spend_gate = spend_gate
        self.pair_log = pair_log
        self._cache: dict[str, ModelProvider] = {}

    def model_id(self, model_id: str) -> str:
        """``model_id`` in full ``provider:model`` form, with the default model filled in."""
        provider, model = parse_model_id(model_id, self.settings.default_models, self.catalogue)
        return f"{provider}:{model}"

    def today(self) -> date:
        """The date lifecycle checks use."""
        return self.settings.today or date.today()

    def retired(self, model_id: str) -> ModelInfo | None:
        """The catalogue entry of ``model_id`` if its vendor has retired it, else None."""
        return self.catalogue.retired(self.model_id(model_id), self.today())

    def teacher_id(self) -> str:
        """The hybrid's teacher: HYBRID_TEACHER, else the catalogue's, else the local model."""
        return self.settings.hybrid_teacher or self.catalogue.teacher or "local"

    def create(self, model_id: str) -> ModelProvider:
        """The provider for ``model_id`` (``local:smollm2``, or just ``local``), alone.

        A retired model gets a `RetiredModel`, which refuses every call without a request.
        """
        provider, model = parse_model_id(model_id, self.settings.default_models, self.catalogue)
        key = f"{provider}:{model}"
        if key not in self._cache:
            retired = self.catalogue.retired(key, self.today())
            if retired is not None:
                from agents.providers.retired import RetiredModel

                self._cache[key] = RetiredModel(
                    provider, model, note=retired.lifecycle_note(self.today())
                )
                return self._cache[key]
            builder, _ = BUILDERS[provider]
            built = builder(model, self)
            if self.settings.pii_scrub_cloud and provider in CLOUD_PROVIDERS:
                from agents.privacy.scrubbing import ScrubbingProvider

                built = ScrubbingProvider(built, default_region=self.settings.phone_region)
            self._cache[key] = built
        return self._cache[key]

    def chain(self, model_id: str | None = None) -> ModelProvider:
        """``model_id`` (default ``AI_PROVIDER``) with ``AI_FALLBACKS`` and the last resort.

        Retired models are left out (`bot.preflight` has warned about them); a
        chain of nothing but retired models raises `ModelRetiredError`.
        """
        from agents.providers.fallback import FallbackProvider

        ids: list[str] = []
        gone: list[str] = []
        for candidate in (
            model_id or self.settings.default_provider,
            *self.settings.fallbacks,
            self.settings.last_resort,
        ):
            if not candidate or self.model_id(candidate) in ids:
                continue
            retired = self.retired(candidate)
            if retired is not None:
                gone.append(retired.lifecycle_note(self.today()))
                log.info("left out of the chain: %s", gone[-1])
                continue
            ids.append(self.model_id(candidate))
        if not ids:
            raise ModelRetiredError("; ".join(gone), provider=self.settings.default_provider)
        members = [self.create(candidate) for candidate in ids]
        return members[0] if len(members) == 1 else FallbackProvider(members)

    def default(self) -> ModelProvider:
        """The provider named by ``AI_PROVIDER``, behind its fallback chain."""
        return self.chain()

    def for_role(self, role: str) -> ModelProvider:
        """The chain for ``role`` (``router``, ``agent.<name>``, ``judge``, ``enrich``).

        A role whose model is retired uses the default chain instead.
        """
        model_id = self.settings.role_models.get(role)
        if model_id and self.retired(model_id) is not None:
            return self.chain()
        return self.chain(model_id)

    async def aclose(self) -> None:
        """Close every provider built so far."""
        for provider in self._cache.values():
            await provider.aclose()
        self._cache.clear()
