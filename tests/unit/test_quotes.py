"""Quotes worked out in code from bot/sample/pricing.yml, and its agreement with pricing.md."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from agents.business import BusinessProfile
from agents.lead_nurturing.pricing import PriceList, PriceListError
from agents.lead_nurturing.quote import asks_price, estimate, money

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "sample"
TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.fixture(scope="module")
def prices() -> PriceList:
    found = PriceList.from_folder(SAMPLE)
    assert found is not None
    return found


def test_the_sample_price_list_is_loaded_with_the_business(prices: PriceList):
    business = BusinessProfile.from_folder(SAMPLE)
    assert business.pricing == prices
    assert prices.package.per_adult == 60 and prices.package.per_child == 30
    assert prices.minimum_spend == 600 and prices.weekday_percent == 10
    assert prices.upgrades["lobster tail"] == 15 and prices.upgrades["filet mignon"] == 10
    assert prices.free_miles == 30 and prices.per_mile == Decimal("1.50")


def test_every_amount_of_pricing_yml_is_in_pricing_md_and_back(prices: PriceList):
    markdown = (SAMPLE / "pricing.md").read_text(encoding="utf-8")
    assert prices.disagreements(markdown) == []


def test_a_price_changed_in_one_file_only_stops_the_start(tmp_path: Path):
    for name in ("business.yml", "pricing.md"):
        (tmp_path / name).write_text((SAMPLE / name).read_text(encoding="utf-8"))
    text = (SAMPLE / "pricing.yml").read_text(encoding="utf-8")
    (tmp_path / "pricing.yml").write_text(text.replace("lobster tail: 15", "lobster tail: 17"))
    with pytest.raises(PriceListError) as error:
        BusinessProfile.from_folder(tmp_path)
    assert "$17 is in pricing.yml" in str(error.value)
    assert "$15 is in the Markdown" in str(error.value)


def test_guests_times_the_adult_price(prices: PriceList):
    quote = estimate("How much would hibachi catering cost for 25 guests?", prices, today=TODAY)
    assert quote is not None and quote.total == 1500
    assert "25 guests x $60 = $1,500" in quote.text
    assert "Estimated total: $1,500" in quote.text
    # What the figure leaves out is said, not hidden.
    assert "gratuity (18-20%" in quote.text
    assert "travel beyond 30 miles of San Francisco ($1.50 per mile)" in quote.text


def test_adults_and_kids_are_priced_apart(prices: PriceList):
    quote = estimate("how much for 20 adults and 5 kids?", prices, today=TODAY)
    assert quote is not None and (quote.adults, quote.kids) == (20, 5)
    assert quote.total == 20 * 60 + 5 * 30
    assert "5 kids x $30 = $150" in quote.text


def test_a_weekday_takes_ten_percent_off(prices: PriceList):
    quote = estimate("what would 25 people cost on a Tuesday?", prices, today=TODAY)
    assert quote is not None and quote.total == Decimal(1350)
    assert "10% weekday discount (Tuesday) = -$150" in quote.text
    saturday = estimate("what would 25 people cost on a Saturday?", prices, today=TODAY)
    assert saturday is not None and saturday.total == 1500


def test_upgrades_for_some_of_the_guests(prices: PriceList):
    quote = estimate("how much for 20 guests with lobster for 8?", prices, today=TODAY)
    assert quote is not None and quote.adults == 20  # 8 is the lobster, not the party
    assert quote.total == 20 * 60 + 8 * 15
    assert "lobster tail for 8 x $15 = $120" in quote.text


def test_the_minimum_spend_applies_to_a_small_party(prices: PriceList):
    quote = estimate("quote for 6 guests please", prices, today=TODAY)
    assert quote is not None and quote.total == 600
    assert "the $600 minimum spend applies" in quote.text


def test_guests_and_date_said_earlier_make_a_quote(prices: PriceList):
    earlier = ["it's on June 14, about 20 adults and 5 kids", "hi, we are planning a party"]
    quote = estimate("how much would that cost?", prices, today=TODAY, earlier=earlier)
    assert quote is not None and (quote.adults, quote.kids) == (20, 5)
    # June 14, 2027 is a Monday: the weekday discount applies.
    assert quote.total == Decimal("1215")
    stored = estimate(
        "how much would that cost?",
        prices,
        today=TODAY,
        known={"guests": 30, "event_date": "2027-06-19", "location": "San Francisco"},
    )
    assert stored is not None and stored.total == 1800  # a Saturday, no discount
    assert "travel beyond" not in stored.text  # the travel base itself


def test_no_guest_count_no_quote(prices: PriceList):
    assert estimate("how much do you charge?", prices, today=TODAY) is None
    assert estimate("how much is the filet mignon upgrade?", prices, today=TODAY) is None


def test_price_questions_about_one_item_are_not_quotes():
    assert asks_price("how much would that cost?")
    assert asks_price("can I get a quote for 30?")
    assert not asks_price("how much is the deposit?")
    assert not asks_price("do you have a vegan option?")


def test_money_is_written_without_empty_cents():
    assert money(Decimal("1215")) == "$1,215"
    assert money(Decimal("1.5")) == "$1.50"
