"""`PriceList`: the business's prices as data (``pricing.yml``), checked against its Markdown.

Quotes are worked out in code from this list, never by a model. The list sits
beside ``pricing.md`` (what the knowledge base quotes); `disagreements` says
where the two differ, so a price changed in one file and not the other stops
the bot at start instead of reaching a customer.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)(?:\s*[-–]\s*(\d+(?:\.\d+)?))?\s?%")
_MILES = re.compile(r"(\d+(?:\.\d+)?)\s+miles?\b", re.I)


class PriceListError(ValueError):
    """``pricing.yml`` is malformed or disagrees with ``pricing.md``."""


@dataclass(frozen=True, slots=True)
class Package:
    """One package: its price per adult and per child (dollars)."""

    name: str
    per_adult: Decimal
    per_child: Decimal
    child_max_age: int | None = None


@dataclass(frozen=True, slots=True)
class PriceList:
    """What an event costs: packages, minimum, weekday discount, upgrades, travel."""

    packages: tuple[Package, ...]
    minimum_spend: Decimal = Decimal(0)
    weekday_percent: Decimal = Decimal(0)
    #: Weekday numbers (Monday is 0) the discount applies on.
    weekday_days: frozenset[int] = frozenset()
    #: Upgrade name -> price per guest who takes it.
    upgrades: Mapping[str, Decimal] = field(default_factory=dict)
    travel_from: str = ""
    free_miles: Decimal = Decimal(0)
    per_mile: Decimal = Decimal(0)
    deposit: Decimal = Decimal(0)
    gratuity_percent: tuple[Decimal, ...] = ()

    @property
    def package(self) -> Package:
        """The standard package: the first listed."""
        return self.packages[0]

    @classmethod
    def from_yaml(cls, text: str) -> PriceList:
        """Parse ``pricing.yml``'s text; `PriceListError` names what is wrong."""
        data = yaml.safe_load(text) or {}
        try:
            packages = tuple(
                Package(
                    name=str(p["name"]),
                    per_adult=_dec(p["per_adult"]),
                    per_child=_dec(p.get("per_child", p["per_adult"])),
                    child_max_age=p.get("child_max_age"),
                )
                for p in data["packages"]
            )
            weekday = data.get("weekday_discount") or {}
            days = {name.lower(): i for i, name in enumerate(calendar.day_name)}
            travel = data.get("travel") or {}
            return cls(
                packages=packages,
                minimum_spend=_dec(data.get("minimum_spend", 0)),
                weekday_percent=_dec(weekday.get("percent", 0)),
                weekday_days=frozenset(days[str(d).lower()] for d in weekday.get("days", ())),
                upgrades={str(k): _dec(v) for k, v in (data.get("upgrades") or {}).items()},
                travel_from=str(travel.get("from", "")),
                free_miles=_dec(travel.get("free_miles", 0)),
                per_mile=_dec(travel.get("per_mile", 0)),
                deposit=_dec(data.get("deposit", 0)),
                gratuity_percent=tuple(_dec(v) for v in data.get("gratuity_percent") or ()),
            )
        except (KeyError, TypeError, ArithmeticError) as error:
            raise PriceListError(f"pricing.yml: missing or bad value ({error!r})") from error

    @classmethod
    def from_folder(cls, folder: Path) -> PriceList | None:
        """The folder's ``pricing.yml``, checked against its ``pricing.md``; None without one."""
        path = folder / "pricing.yml"
        if not path.is_file():
            return None
        prices = cls.from_yaml(path.read_text(encoding="utf-8"))
        markdown = folder / "pricing.md"
        if markdown.is_file():
            problems = prices.disagreements(markdown.read_text(encoding="utf-8"))
            if problems:
                raise PriceListError(f"{path} and {markdown} disagree: " + "; ".join(problems))
        return prices

    def amounts(self) -> dict[str, Counter[Decimal]]:
        """Every figure of the list by kind: dollars, percent, miles."""
        money = [self.minimum_spend, self.per_mile, self.deposit, *self.upgrades.values()]
        for package in self.packages:
            money += [package.per_adult, package.per_child]
        return {
            "dollars": Counter(_norm(m) for m in money if m),
            "percent": Counter(
                _norm(p) for p in (self.weekday_percent, *self.gratuity_percent) if p
            ),
            "miles": Counter([_norm(self.free_miles)] if self.free_miles else []),
        }

    def disagreements(self, markdown: str) -> list[str]:
        """Where ``markdown`` and this list differ: a figure one has and the other lacks."""
        written = {
            "dollars": {_norm(_dec(m.replace(",", ""))) for m in _MONEY.findall(markdown)},
            "percent": {_norm(_dec(v)) for pair in _PERCENT.findall(markdown) for v in pair if v},
            "miles": {_norm(_dec(m)) for m in _MILES.findall(markdown)},
        }
        problems = []
        for kind, listed in self.amounts().items():
            for value in sorted(set(listed) - written[kind]):
                problems.append(f"{_show(kind, value)} is in pricing.yml, not in the Markdown")
            for value in sorted(written[kind] - set(listed)):
                problems.append(f"{_show(kind, value)} is in the Markdown, not in pricing.yml")
        return problems


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _norm(value: Decimal) -> Decimal:
    """1.50 and 1.5 are one amount."""
    return value.normalize() if value != value.to_integral() else value.quantize(Decimal(1))


def _show(kind: str, value: Decimal) -> str:
    return {"dollars": f"${value}", "percent": f"{value}%", "miles": f"{value} miles"}[kind]
