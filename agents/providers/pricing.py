"""What a model call costs: a price table per model, cache-aware, honest about gaps.

Prices are USD per million tokens as the vendors published them on
`PRICES_TAKEN_ON`; check them before relying on a bill. Providers that run on
your own hardware (``local``, ``ollama``) cost 0. A model missing from the
table costs None (unknown), with one warning per model, rather than a guess.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

log = logging.getLogger(__name__)

#: When the prices below were read from the vendors' pricing pages.
PRICES_TAKEN_ON = date(2025, 10, 1)


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per one million tokens; cached input defaults to the input price."""

    input_per_1m: float = 0.0
    output_per_1m: float = 0.0
    cached_input_per_1m: float | None = None

    def cost(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
        """The cost of one call; ``input_tokens`` includes the cached ones."""
        cached = min(cached_input_tokens, input_tokens)
        cached_rate = (
            self.input_per_1m if self.cached_input_per_1m is None else (self.cached_input_per_1m)
        )
        return (
            (input_tokens - cached) * self.input_per_1m
            + cached * cached_rate
            + output_tokens * self.output_per_1m
        ) / 1e6


#: Default models of each vendor, and their close relatives.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    # OpenAI: cached input is half price (a quarter for the 4.1 family).
    "openai:gpt-4o-mini": ModelPrice(0.15, 0.60, 0.075),
    "openai:gpt-4o": ModelPrice(2.50, 10.00, 1.25),
    "openai:gpt-4.1": ModelPrice(2.00, 8.00, 0.50),
    "openai:gpt-4.1-mini": ModelPrice(0.40, 1.60, 0.10),
    "openai:gpt-4.1-nano": ModelPrice(0.10, 0.40, 0.025),
    # Anthropic: cache reads are a tenth of the input price.
    "anthropic:claude-sonnet-4-5": ModelPrice(3.00, 15.00, 0.30),
    "anthropic:claude-haiku-4-5": ModelPrice(1.00, 5.00, 0.10),
    "anthropic:claude-opus-4-1": ModelPrice(15.00, 75.00, 1.50),
    # Groq: no cache discount on these models.
    "groq:llama-3.3-70b-versatile": ModelPrice(0.59, 0.79),
    "groq:llama-3.1-8b-instant": ModelPrice(0.05, 0.08),
    "groq:openai/gpt-oss-120b": ModelPrice(0.15, 0.75, 0.075),
    "groq:openai/gpt-oss-20b": ModelPrice(0.10, 0.50, 0.05),
}

#: Providers that run on the operator's own hardware: no per-token bill.
FREE_PROVIDERS = frozenset({"local", "ollama"})


class PriceTable:
    """Looks up prices by ``provider:model``, tolerating dated model names.

    ``gpt-4o-mini-2024-07-18`` and ``claude-sonnet-4-5-20250929`` find the
    price of the model they are a snapshot of (the longest matching prefix).
    """

    def __init__(
        self,
        prices: dict[str, ModelPrice] | None = None,
        *,
        free_providers: frozenset[str] = FREE_PROVIDERS,
    ) -> None:
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)
        self.free_providers = free_providers
        self._warned: set[str] = set()

    def price(self, provider: str, model: str) -> ModelPrice | None:
        """The price of ``provider:model``, or None when it is not in the table."""
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
