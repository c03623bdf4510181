"""`SendCosts`: paid sends (SMS segments) counted as spend, beside the model calls.

The SMS channel reports each message it hands to Twilio with its segment
count (Twilio's own ``num_segments`` when the API returns it, else our
GSM-7/UCS-2 plan). Until Twilio says what it charged, the cost is an
estimate: segments times ``SMS_PRICE_PER_SEGMENT_USD``. When a status
callback carries ``Price`` and ``PriceUnit`` (Twilio adds them once the
message is rated; many callbacks have none), the price replaces the
estimate. A price in another currency than USD is logged and the estimate
kept: the budget is in dollars and the bot keeps no exchange rates.

Recording never fails a send: the message has already gone out, and
reporting a failure would make the caller send it again (and pay twice).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

from bot.costs.budget import BudgetMonitor
from memory.send_costs import SendCostStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SendCharge:
    """A change in spend from sending: what `BudgetMonitor.after_calls` counts."""

    cost_usd: float | None


class SendCosts:
    """Records what each paid send cost and tells the budget monitor."""

    def __init__(
        self,
        store: SendCostStore,
        *,
        price_per_segment_usd: Mapping[str, float],
        budget: BudgetMonitor | None = None,
    ) -> None:
        """``price_per_segment_usd``: the estimate per channel (``{"sms": 0.0083}``)."""
        self.store = store
        self.price_per_segment_usd = dict(price_per_segment_usd)
        self.budget = budget

    async def sent(
        self,
        channel: str,
        sent_id: str,
        *,
        segments: int,
        price: str | None = None,
        price_unit: str | None = None,
    ) -> None:
        """Count a message just sent: the vendor's ``price`` if it gave one, else the estimate."""
        try:
            known = _usd(price, price_unit)
            cost = known if known is not None else self._estimate(channel, segments)
            new = await self.store.record(
                channel=channel,
                sent_id=sent_id,
                segments=segments,
                cost_usd=cost,
                estimated=known is None,
            )
            if new and self.budget is not None:
                await self.budget.after_calls([SendCharge(cost)])
        except Exception:  # see the module docstring: never fail a send that happened
            log.exception("could not record the cost of %s message %s", channel, sent_id)

    async def priced(self, channel: str, sent_id: str, *, price: str, price_unit: str) -> bool:
        """Replace the estimate with the vendor's price; False when it cannot be used."""
        cost = _usd(price, price_unit)
        if cost is None:
            log.info("%s message %s: price %r %r not used", channel, sent_id, price, price_unit)
            return False
        change = await self.store.set_price(channel=channel, sent_id=sent_id, cost_usd=cost)
        if change is None:
            return False
        if change and self.budget is not None:
            await self.budget.after_calls([SendCharge(change)])
        return True

    def _estimate(self, channel: str, segments: int) -> float:
        return segments * self.price_per_segment_usd.get(channel, 0.0)


def _usd(price: str | None, unit: str | None) -> float | None:
    """Twilio's price (``-0.00750``, negative: money out) in dollars; None if not usable."""
    if not price or (unit or "USD").strip().upper() != "USD":
        return None
    try:
        value = abs(float(price))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
