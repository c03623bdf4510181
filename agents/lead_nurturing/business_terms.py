"""`BusinessTerms`: the service area and prices a lead is measured against.

Read from the business's own notes (``Service area: ...``, ``$60 per adult``,
``Minimum spend: $600``), so another business's folder needs no code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SERVICE_AREA = re.compile(r"service area\s*:\s*(?P<places>[^\n]+)", re.I)
_PER_GUEST_PRICE = re.compile(
    r"\$(?P<price>\d+(?:\.\d+)?)\s*(?:per|a|/)\s*(?:adult|guest|person|head)", re.I
)
_MINIMUM = re.compile(r"minimum(?: spend)?\s*:?\s*\$(?P<amount>[\d,]+)", re.I)


def initials(place: str) -> str:
    """``SF`` for San Francisco: how people text a many-word place."""
    return "".join(word[0] for word in place.split()).upper()


@dataclass(frozen=True, slots=True)
class BusinessTerms:
    """Places the business serves and what an event costs, as its notes say."""

    service_area: tuple[str, ...] = ()
    #: The price of one guest of the base package, in dollars.
    price_per_guest: float | None = None
    #: The least an event may cost, in dollars.
    minimum_spend: float | None = None

    @classmethod
    def from_notes(cls, notes: Iterable[str]) -> BusinessTerms:
        """Parse the terms out of the business's Markdown notes."""
        text = "\n".join(notes)
        places: list[str] = []
        if match := _SERVICE_AREA.search(text):
            # "San Francisco, the Peninsula, the East Bay; farther on request."
            for part in re.split(r"[,;]", match["places"].split(";")[0]):
                place = re.sub(r"^\s*(?:and\s+)?(?:the\s+)?", "", part).strip(" .")
                if place and not place.lower().startswith(("farther", "further")):
                    places.append(place)
        # The base package is the dearest per-guest price ("$60 per adult", not
        # "plates for $3 per guest").
        prices = [float(m["price"]) for m in _PER_GUEST_PRICE.finditer(text)]
        minimum = _MINIMUM.search(text)
        return cls(
            service_area=tuple(places),
            price_per_guest=max(prices) if prices else None,
            minimum_spend=float(minimum["amount"].replace(",", "")) if minimum else None,
        )

    def names(self) -> tuple[str, ...]:
        """The places and the initials of the many-word ones ("SF" for San Francisco)."""
        return self.service_area + tuple(initials(p) for p in self.service_area if " " in p)

    def place(self, name: str) -> str | None:
        """The service-area place ``name`` is, contains or abbreviates; None if none."""
        wanted = name.lower()
        for place in self.service_area:
            if place.lower() in wanted or wanted in place.lower() or name == initials(place):
                return place
        return None

    def in_area(self, location: str) -> bool:
        """Whether ``location`` is (or contains) one of the service area's places."""
        return self.place(location) is not None

    def estimate(self, guests: int) -> float | None:
        """The base package's price for ``guests``, minimum spend applied."""
        if self.price_per_guest is None:
            return None
        return max(guests * self.price_per_guest, self.minimum_spend or 0.0)
