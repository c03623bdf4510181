"""Checking the money a model's reply names against what it was given.

A small model quoting "$65" where the price list says $60 is the worst kind
of wrong answer for a front desk: it reads as a promise. A reply to a customer
may name an amount only when it is in the documents the agent was given, in
the customer's own message, or is one of those times a number the customer
gave (30 guests at $60 is $1,800); otherwise the reply is replaced by the
documents' own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

#: A currency sign or code before the number ("$60", "£47", "EUR 9") or a name after it
#: ("47 pounds", "9 euros"): every currency counts, not only dollars.
_CURRENCY = r"(?:[$£€¥₹]|\b(?:USD|EUR|GBP|CAD|AUD|JPY|US\$)\s?)"
_NUMBER_PART = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(\s?k\b)?"
_MONEY = re.compile(
    rf"{_CURRENCY}\s?{_NUMBER_PART}"
    rf"|(?<![\w.]){_NUMBER_PART}\s?(?:dollars?|bucks|euros?|pounds?|quid|yen|USD|EUR|GBP)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\d$.,])(\d{1,5})(?![\d,])")


def amounts(text: str) -> set[Decimal]:
    """The amounts ``text`` names in any currency ("$1,800", "$60.50", "$2k", "£47", "9 euros")."""
    found = set()
    for match in _MONEY.findall(text):
        whole, cents, thousands = match[:3] if match[0] else match[3:]
        try:
            value = Decimal(whole.replace(",", "") + (f".{cents}" if cents else ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits digits only
            continue
        found.add(value * 1000 if thousands else value)
    return found


def unsupported_amounts(reply: str, sources: Iterable[str], question: str) -> list[Decimal]:
    """Amounts in ``reply`` not found in ``sources`` or ``question``, nor a multiple
    of one by a number (a guest count) the question or sources give."""
    given = amounts(question)
    counts = {Decimal(n) for n in _NUMBER.findall(question)}
    for source in sources:
        given |= amounts(source)
    allowed = set(given)
    allowed |= {price * count for price in given for count in counts}
    # An adults-and-kids total adds two such products.
    products = sorted(allowed)
    if len(products) <= 40:
        allowed |= {a + b for a in products for b in products}
    return sorted(value for value in amounts(reply) if value not in allowed)
