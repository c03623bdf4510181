"""The price table: from the model catalogue, cache- and tier-aware, null when unknown."""

import logging

import pytest

from agents.providers.pricing import ModelPrice, PriceTable


def test_cost_of_a_call_with_cached_input():
    table = PriceTable()
    # gpt-6-luna: $0.10 in, $0.01 cached in, $0.50 out per million (catalogue, 2026-12-02).
    cost = table.cost(
        "openai", "gpt-6-luna", input_tokens=1000, output_tokens=500, cached_input_tokens=400
    )
    assert cost == pytest.approx((600 * 0.10 + 400 * 0.01 + 500 * 0.50) / 1e6)


def test_a_long_prompt_is_priced_at_the_vendors_higher_tier():
    table = PriceTable()
    short = table.cost("openai", "gpt-6-luna", input_tokens=272_000, output_tokens=1000)
    long = table.cost("openai", "gpt-6-luna", input_tokens=272_001, output_tokens=1000)
    assert short == pytest.approx((272_000 * 0.10 + 1000 * 0.50) / 1e6)
    # Above 272K input tokens the whole request costs 2x input and 1.5x output.
    assert long == pytest.approx((272_001 * 0.20 + 1000 * 0.75) / 1e6)


def test_groq_prices_are_the_ones_groq_lists():
    table = PriceTable()
    assert table.price("groq", "openai/gpt-oss-120b") == ModelPrice(0.15, 0.60)
    assert table.price("groq", "openai/gpt-oss-20b") == ModelPrice(0.075, 0.30)


def test_dated_snapshots_find_their_model_price():
    table = PriceTable()
    assert table.price("anthropic", "claude-sonnet-4-5-20250929").input_per_1m == 3.0
    assert table.price("openai", "gpt-4o-mini-2024-07-18").input_per_1m == 0.15
    # The longest prefix wins: gpt-4o-mini is not priced as gpt-4o.
    assert table.price("openai", "gpt-4o-2024-08-06").input_per_1m == 2.50


def test_local_models_are_free_and_not_paid():
    table = PriceTable()
    assert table.cost("local", "smollm2", input_tokens=10_000, output_tokens=10_000) == 0.0
    assert table.cost("ollama", "llama3.1:8b", input_tokens=10, output_tokens=10) == 0.0
    assert not table.is_paid("local", "smollm2")
    assert table.is_paid("groq", "openai/gpt-oss-20b")


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


def test_a_catalogue_entry_without_figures_has_no_price():
    # Google's price for gemini-3.5-flash-lite was not found: null, not a guess.
    assert PriceTable().price("gemini", "gemini-3.5-flash-lite") is None
