"""The price table: per model, cache-aware, free locally, null when unknown."""

import logging

import pytest

from agents.providers.pricing import PRICES_TAKEN_ON, ModelPrice, PriceTable


def test_cost_of_a_call_with_cached_input():
    table = PriceTable()
    # gpt-4o-mini: $0.15 in, $0.075 cached in, $0.60 out per million.
    cost = table.cost(
        "openai", "gpt-4o-mini", input_tokens=1000, output_tokens=500, cached_input_tokens=400
    )
    assert cost == pytest.approx((600 * 0.15 + 400 * 0.075 + 500 * 0.60) / 1e6)


def test_dated_snapshots_find_their_model_price():
    table = PriceTable()
    assert table.price("anthropic", "claude-sonnet-4-5-20250929") == ModelPrice(3.0, 15.0, 0.30)
    assert table.price("openai", "gpt-4o-mini-2024-07-18").input_per_1m == 0.15
    # The longest prefix wins: gpt-4o-mini is not priced as gpt-4o.
    assert table.price("openai", "gpt-4o-2024-08-06").input_per_1m == 2.50


def test_local_models_are_free_and_not_paid():
    table = PriceTable()
    assert table.cost("local", "smollm2", input_tokens=10_000, output_tokens=10_000) == 0.0
    assert table.cost("ollama", "llama3.1:8b", input_tokens=10, output_tokens=10) == 0.0
    assert not table.is_paid("local", "smollm2")
    assert table.is_paid("groq", "llama-3.3-70b-versatile")


def test_an_unknown_model_costs_null_with_one_warning(caplog):
    table = PriceTable()
    with caplog.at_level(logging.WARNING, logger="agents.providers.pricing"):
        first = table.cost("openai", "gpt-9", input_tokens=1, output_tokens=1)
        second = table.cost("openai", "gpt-9", input_tokens=1, output_tokens=1)
    assert first is None and second is None
    assert [r.getMessage() for r in caplog.records] == [
        "no price for openai:gpt-9: its calls are logged with unknown (null) cost"
    ]
    assert table.is_paid("openai", "gpt-9")  # unknown is treated as billed


def test_every_default_model_has_a_price_and_the_date_is_recorded():
    from agents.providers.factory import BUILDERS

    table = PriceTable()
    for provider in ("openai", "anthropic", "groq"):
        assert table.price(provider, BUILDERS[provider][1]) is not None
    assert PRICES_TAKEN_ON.year >= 2025
