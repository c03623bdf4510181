"""What a model call costs: prices from the model catalogue, cache- and tier-aware.

Prices are USD per million tokens as `agents/providers/models.yml` records
them (each entry with its source and the date it was read; ``MODELS_FILE``
overrides). Providers that run on your own hardware (``local``, ``ollama``)
cost 0. A model the catalogue does not price costs None (unknown), with one
warning per model, rather than a guess. Reasoning tokens are output tokens:
the vendors bill them so, and every provider counts them in ``output_tokens``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agents.providers.catalogue import ModelCatalogue, ModelInfo, PriceTier, load_catalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per one million tokens; cached input defaults to the input price.

    ``tiers`` raise the prices of a whole request whose prompt is longer than
    a tier's ``above_input_tokens`` (OpenAI above 272K, Anthropic's Haiku 5.5
    above 100K): the highest tier the prompt passes applies.
    """

    input_per_1m: float = 0.0
    output_per_1m: float = 0.0
    cached_input_per_1m: float | None = None
    tiers: tuple[PriceTier, ...] = ()

    def cost(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
        """The cost of one call; ``input_tokens`` includes the cached ones."""
        rates = self._for_prompt(input_tokens)
        cached = min(cached_input_tokens, input_tokens)
        cached_rate = (
            rates.input_per_1m if rates.cached_input_per_1m is None else (rates.cached_input_per_1m)
        )
        return (
            (input_tokens - cached) * rates.input_per_1m
            + cached * cached_rate
            + output_tokens * rates.output_per_1m
        ) / 1e6

    def _for_prompt(self, input_tokens: int) -> ModelPrice:
        passed = [tier for tier in self.tiers if input_tokens > tier.above_input_tokens]
        if not passed:
            return self
        tier = max(passed, key=lambda t: t.above_input_tokens)
        return ModelPrice(tier.input, tier.output, tier.cached_input)

    @classmethod
    def of(cls, info: ModelInfo) -> ModelPrice | None:
        """The price of a catalogue entry, or None when the vendor's figures are missing."""
        if info.input is None or info.output is None:
            return None
        return cls(info.input, info.output, info.cached_input, info.tiers)


#: Providers that run on the operator's own hardware: no per-token bill.
FREE_PROVIDERS = frozenset({"local", "ollama"})


class PriceTable:
    """Looks up prices by ``provider:model``, tolerating dated model names.

    ``gpt-4o-mini-2024-07-18`` finds the price of the model it is a snapshot
    of (the longest matching prefix). ``prices`` replaces the catalogue (tests
    and benchmarks pass their own).
    """

    def __init__(
        self,
        prices: dict[str, ModelPrice] | None = None,
        *,
        catalogue: ModelCatalogue | None = None,
        free_providers: frozenset[str] = FREE_PROVIDERS,
    ) -> None:
        if prices is None:
            entries = (catalogue or load_catalogue()).models.values()
            prices = {info.model_id: p for info in entries if (p := ModelPrice.of(info))}
        self.prices = dict(prices)
        self.free_providers = free_providers
        self._warned: set[str] = set()

    def price(self, provider: str, model: str) -> ModelPrice | None:
        """The price of ``provider:model``, or None when it is not known."""
        if provider in self.free_providers:
            return ModelPrice()
        model_id = f"{provider}:{model}"
        if model_id in self.prices:
            return self.prices[model_id]
        matches = [key for key in self.prices if model_id.startswith(key + "-")]
        return self.prices[max(matches, key=len)] if matches else None

    def is_paid(self, provider: str, model: str) -> bool:
        """Whether calls to this model are billed (unknown models count as billed)."""
        price = self.price(provider, model)
        return price is None or price.input_per_1m > 0 or price.output_per_1m > 0

    def cost(
        self,
        provider: str,
        model: str,
        *,
        input_tokens: int,
        output_tokens: int,
        cached_input_tokens: int = 0,
    ) -> float | None:
        """USD for one call; None, and one warning per model, when the price is unknown."""
        price = self.price(provider, model)
        if price is None:
            model_id = f"{provider}:{model}"
            if model_id not in self._warned:
                self._warned.add(model_id)
                log.warning(
                    "no price for %s: its calls are logged with unknown (null) cost", model_id
                )
            return None
        return price.cost(input_tokens, output_tokens, cached_input_tokens)
