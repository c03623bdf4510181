"""Quotes worked out in code from the `PriceList`: the arithmetic shown, the gaps said.

"How much for 20 adults and 5 kids on a Tuesday with lobster for 8?" becomes
an `Estimate`: each line's multiplication, the minimum spend, the weekday
discount, the total, and what the figure leaves out (gratuity, travel beyond
the free radius). The guests and date may come from earlier in the
conversation (the lead's stored fields, the customer's earlier messages).
A model never does this arithmetic: a small one gets it wrong.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from agents.lead_nurturing.dates import extract_date
from agents.lead_nurturing.extraction import extract_guests
from agents.lead_nurturing.pricing import PriceList

_ASKS_PRICE = re.compile(
    r"\b(?:how much|price[sd]?|pricing|costs?|quote|estimate|total|ballpark|run (?:me|us))\b",
    re.I,
)
# "How much is the deposit?" asks about one item, not the whole event.
_ONE_ITEM = re.compile(r"\b(?:deposit|refund|gratuity|tips?|travel|mile|cancel\w*|fee)\b", re.I)
_ADULTS_KIDS = re.compile(
    r"\b(?P<adults>\d{1,4})\s+adults?\b(?:\W+(?:and|&|\+|plus)?\s*(?P<kids>\d{1,4})\s+"
    r"(?:kids?|children|child)\b)?",
    re.I,
)
_KIDS_ONLY = re.compile(r"\b(?P<kids>\d{1,4})\s+(?:kids?|children|child)\b", re.I)
_WEEKDAY_NAME = re.compile(r"\b(" + "|".join(n.lower() for n in calendar.day_name) + r")s?\b", re.I)
_DAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}


def asks_price(text: str) -> bool:
    """Whether ``text`` asks what the event costs (not the deposit, a fee, the tip)."""
    return bool(_ASKS_PRICE.search(text)) and not _ONE_ITEM.search(text)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A worked-out quote: its lines, total, and the customer-facing text."""

    adults: int
    kids: int
    total: Decimal
    lines: tuple[str, ...]
    text: str

    def brief(self) -> str:
        """The arithmetic and total alone: a second quote in one conversation (lobster
        after filet) would otherwise read almost as the first one."""
        return f"Updated estimate: {'; '.join(self.lines)}. Estimated total: {money(self.total)}."

    def as_dict(self) -> dict[str, Any]:
        """For the stored reply's meta."""
        return {"adults": self.adults, "kids": self.kids, "total": str(self.total),
                "lines": list(self.lines)}  # fmt: skip


def money(value: Decimal) -> str:
    """``$1,215`` or ``$1.50``: cents only when there are some."""
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value == value.to_integral():
        return f"${int(value):,}"
    return f"${value:,.2f}"


def party(texts: Iterable[str]) -> tuple[int, int, bool] | None:
    """(adults, kids, split given) from the first of ``texts`` that counts guests."""
    for text in texts:
        if match := _ADULTS_KIDS.search(text):
            return int(match["adults"]), int(match["kids"] or 0), True
        if match := _KIDS_ONLY.search(text):
            guests = extract_guests(text)
            if guests and guests > int(match["kids"]):
                return guests - int(match["kids"]), int(match["kids"]), True
        if guests := extract_guests(text):
            return guests, 0, False
    return None


def _upgrade_pattern(name: str) -> re.Pattern[str]:
    # "lobster tail" is asked for as "lobster", "lobster tails", "8 lobster"...
    words = name.split()
    alias = re.escape(name) if words[0] == "extra" else re.escape(words[0])
    return re.compile(
        rf"(?:\b(?P<before>\d{{1,4}})\s+)?\b{alias}(?:\s+(?!for\b|x\b)\w+)?"
        rf"(?:\s+(?:for|x)\s+(?P<after>\d{{1,4}})\b)?",
        re.I,
    )


def upgrades(text: str, prices: PriceList) -> tuple[dict[str, int | None], str]:
    """The upgrades ``text`` asks for (name -> how many, None: everyone), and
    ``text`` without them (so "lobster for 8" is not read as 8 guests)."""
    found: dict[str, int | None] = {}
    for name in prices.upgrades:
        match = _upgrade_pattern(name).search(text)
        if match:
            count = match["after"] or match["before"]
            found[name] = int(count) if count else None
            text = text[: match.start()] + " " + text[match.end() :]
    return found, text


def estimate(
    text: str,
    prices: PriceList,
    *,
    today: date,
    earlier: Iterable[str] = (),
    known: Mapping[str, Any] | None = None,
) -> Estimate | None:
    """The estimate ``text`` asks for, or None when no guest count is known.

    ``earlier`` are the customer's earlier messages, newest first; ``known``
    the lead's stored fields (``guests``, ``event_date``, ``location``).
    """
    known = known or {}
    wanted, rest = upgrades(text, prices)
    people = party([rest, *earlier])
    if people is None and known.get("guests"):
        people = (int(known["guests"]), 0, False)
    if people is None:  # "with lobster for 8" and nothing else: 8 guests, all with lobster
        counts = [n for n in wanted.values() if n]
        if not counts:
            return None
        people = (max(counts), 0, False)
    adults, kids, split = people
    package = prices.package
    lines: list[str] = []
    subtotal = adults * package.per_adult + kids * package.per_child
    lines.append(f"{adults} {'adults' if split else 'guests'} x {money(package.per_adult)} "
                 f"= {money(adults * package.per_adult)}")  # fmt: skip
    if kids:
        kids_cost = kids * package.per_child
        lines.append(f"{kids} kids x {money(package.per_child)} = {money(kids_cost)}")
    for name, count in wanted.items():
        count = min(count or adults + kids, adults + kids)
        cost = count * prices.upgrades[name]
        subtotal += cost
        lines.append(f"{name} for {count} x {money(prices.upgrades[name])} = {money(cost)}")
    if subtotal < prices.minimum_spend:
        lines.append(f"the {money(prices.minimum_spend)} minimum spend applies")
        subtotal = prices.minimum_spend
    weekday = _weekday(text, today=today, earlier=earlier, known=known)
    if weekday is not None and weekday in prices.weekday_days and prices.weekday_percent:
        discount = subtotal * prices.weekday_percent / 100
        lines.append(
            f"{prices.weekday_percent:g}% weekday discount ({calendar.day_name[weekday]}) "
            f"= -{money(discount)}"
        )
        subtotal -= discount
    return Estimate(adults, kids, subtotal, tuple(lines),
                    _text(prices, lines, subtotal, weekday, split, known))  # fmt: skip


def _weekday(
    text: str, *, today: date, earlier: Iterable[str], known: Mapping[str, Any]
) -> int | None:
    """The event's day of the week: named now, a date now, the stored date, or said before."""
    for source in (text, *earlier):
        if match := _WEEKDAY_NAME.search(source):
            return _DAYS[match[1].lower()]
        if day := extract_date(source, today=today):
            return day.weekday()
        if source is text and known.get("event_date"):
            try:
                return date.fromisoformat(str(known["event_date"])).weekday()
            except ValueError:
                pass
    return None


def _text(
    prices: PriceList,
    lines: list[str],
    total: Decimal,
    weekday: int | None,
    split: bool,
    known: Mapping[str, Any],
) -> str:
    package = prices.package
    parts = [f"Here's an estimate for the {package.name}: " + "; ".join(lines) + "."]
    parts.append(f"Estimated total: {money(total)}.")
    if not split and package.per_child != package.per_adult:
        age = f" ({package.child_max_age} and under)" if package.child_max_age else ""
        parts.append(f"Kids{age} are {money(package.per_child)} each.")
    if weekday is None and prices.weekday_percent and prices.weekday_days:
        days = sorted(prices.weekday_days)
        parts.append(
            f"{calendar.day_name[days[0]]} to {calendar.day_name[days[-1]]} events get "
            f"{prices.weekday_percent:g}% off."
        )
    left_out = []
    if prices.gratuity_percent:
        span = "-".join(f"{p:g}" for p in prices.gratuity_percent)
        left_out.append(f"gratuity ({span}% for the chef is customary)")
    location = str(known.get("location") or "")
    if prices.per_mile and location.lower() != prices.travel_from.lower():
        left_out.append(
            f"travel beyond {prices.free_miles:g} miles of {prices.travel_from} "
            f"({money(prices.per_mile)} per mile)"
        )
    if left_out:
        parts.append("Not included: " + " and ".join(left_out) + ".")
    if prices.deposit:
        parts.append(f"A {money(prices.deposit)} deposit reserves the date.")
    return " ".join(parts)
