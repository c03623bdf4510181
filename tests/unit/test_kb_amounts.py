"""Money a reply names must come from the documents, the question, or a total of them."""

from __future__ import annotations

from decimal import Decimal

from agents.knowledge.amounts import amounts, unsupported_amounts

PRICES = ["Classic package: $60 per adult, $30 per child (12 and under).", "Deposit: $200."]


def test_amounts_are_read_in_the_forms_people_write():
    assert amounts("$60, $1,800, $2k and $60.50 but not 60 or 5%") == {
        Decimal(60),
        Decimal(1800),
        Decimal(2000),
        Decimal("60.50"),
    }


def test_a_price_from_the_documents_or_the_question_is_supported():
    assert unsupported_amounts("It is $60 per adult and a $200 deposit.", PRICES, "price?") == []
    assert unsupported_amounts("A budget of $900 works.", PRICES, "Is $900 enough?") == []


def test_totals_for_the_guests_the_customer_named_are_supported():
    question = "How much for 20 adults and 5 kids?"
    reply = "20 adults are $1,200, 5 kids $150: $1,350 in all."
    assert unsupported_amounts(reply, PRICES, question) == []


def test_an_invented_price_is_caught():
    reply = "The classic package for 20 guests is $65."
    assert unsupported_amounts(reply, PRICES, "How much for 20 guests?") == [Decimal(65)]
    assert unsupported_amounts("Only $45 today!", [], "deals?") == [Decimal(45)]
