"""`BudgetMonitor`: the monthly budget, its hard cap, and the growth alerts.

It keeps this month's spend (model calls, and paid sends such as SMS
segments: `memory.spend`) and the number of contacts in memory, so
the check before every paid call (`paid_calls_allowed`, the providers'
`SpendGate`) is a comparison, not a query. The figures come from the database
(`refresh`, at start and then at most every ``refresh_seconds``) and, in
between, from the calls this process makes (`after_calls`). Several processes
therefore each see the others' spend within ``refresh_seconds``; a refresh
replaces the cached figure with the database's, so the error never grows.

Alerts, each once across every process and restart (`bot.costs.alerts.AlertLog`):
``budget:<YYYY-MM>:80`` and ``budget:<YYYY-MM>:100`` when the month's spend
reaches 80% and 100% of ``MONTHLY_BUDGET_USD``, and ``customers:<N>`` when
there are ``CUSTOMER_ALERT_THRESHOLD`` live (unmerged) contacts. A jump past
both budget thresholds at once fires both, 80 first.

Months are UTC (see `memory.spend`). A new month starts from nothing spent.
Calls of unknown cost (a model missing from the price table) add nothing to
the spend: they are logged with a warning when made and shown apart by
`bot costs`.

A budget of 0 means "no paid models": no budget alerts (there is no
percentage of nothing), and with ``BUDGET_HARD_CAP=true`` every paid call is
refused, so only free models (``local``, ``ollama``) answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol

from bot.costs.alerts import Alert, AlertLog, AlertSink
from memory.db import Database
from memory.models import utcnow
from memory.spend import SpendLedger, month_bounds, month_key

log = logging.getLogger(__name__)

#: Percentages of the monthly budget that alert.
BUDGET_THRESHOLDS = (80, 100)


class CostedCall(Protocol):
    """Anything with a cost: `memory.model_calls.ModelUsage`, `CallRecord`, an SMS sent."""

    @property
    def cost_usd(self) -> float | None: ...


class BudgetMonitor:
    """This month's spend against the budget, and the growth alerts; a `SpendGate`."""

    def __init__(
        self,
        db: Database,
        *,
        monthly_budget_usd: float = 500.0,
        hard_cap: bool = False,
        customer_alert_threshold: int = 1000,
        sinks: Iterable[AlertSink] = (),
        clock: Callable[[], datetime] = utcnow,
        refresh_seconds: float = 60.0,
    ) -> None:
        """``clock`` gives aware UTC datetimes (tests move it); ``sinks`` receive alerts."""
        self.ledger = SpendLedger(db)
        self.alerts = AlertLog(db, list(sinks))
        self.monthly_budget_usd = monthly_budget_usd
        self.hard_cap = hard_cap
        self.customer_alert_threshold = customer_alert_threshold
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._month: str | None = None  # the month `_spend` belongs to, ``YYYY-MM``
        # Its bounds: comparing datetimes is cheaper than formatting one before each call.
        self._month_start = self._month_end = datetime.min.replace(tzinfo=UTC)
        self._spend = 0.0
        self._contacts = 0  # live contacts, counted up to the threshold only
        self._newest_contact_id = 0
        self._refreshed_at: datetime | None = None
        self._fired: set[str] = set()  # alert keys known to have fired, anywhere
        self._lock = asyncio.Lock()  # one refresh at a time
        # Alerts go out one at a time, so 80% is sent before a concurrent reply's 100%.
        self._fire_lock = asyncio.Lock()

    @property
    def month_spend_usd(self) -> float:
        """This month's known spend as last seen (0 once a new month has begun)."""
        return self._spend if self._in_cached_month(self._clock()) else 0.0

    @property
    def live_contacts(self) -> int:
        """Live contacts as last counted; the count stops at the alert threshold."""
        return self._contacts

    def paid_calls_allowed(self) -> bool:
        """The `SpendGate` check before every paid call: False only under a spent hard cap."""
        if not self.hard_cap:
            return True
        if self.monthly_budget_usd <= 0:
            return False
        return self.month_spend_usd < self.monthly_budget_usd

    async def refresh(self) -> None:
        """Re-read the month's spend and the contact count; fire the alerts they cross."""
        async with self._lock:
            now = self._clock()
            # Claimed before the queries, so concurrent replies do not all refresh.
            self._refreshed_at = now
            start, end = month_bounds(now)
            spend = await self.ledger.cost(start, end)
            self._month, self._spend = month_key(now), spend
            self._month_start, self._month_end = start, end
            if self._customer_key not in self._fired:
                # Once that alert has fired nothing needs the count, so it is never taken again.
                self._newest_contact_id = await self.ledger.newest_contact_id()
                self._contacts = await self.ledger.live_contacts(
                    at_most=self.customer_alert_threshold
                )
            await self._fire_crossed()

    async def after_calls(
        self, calls: Iterable[CostedCall], *, contact_id: int | None = None
    ) -> None:
        """Count calls just stored (and the contact they served); alert on any crossing.

        Call it after the calls are committed: a refresh it triggers reads them
        from the database. Never raises: a reply that was stored must not fail
        because the monitor could not reach the database (that is logged).
        """
        try:
            now = self._clock()
            if not self._in_cached_month(now) or self._refresh_due(now):
                # The database already holds these calls. If a refresh is under
                # way, it may have read before they were committed: the next one
                # counts them (they are not added to a figure it will replace).
                if not self._lock.locked():
                    await self.refresh()
                return
            self._spend += sum(call.cost_usd for call in calls if call.cost_usd)
            if self._counts_new_contact(contact_id):
                # Only a recount tells whether merges took some away; it is capped and rare.
                await self.refresh()
                return
            await self._fire_crossed()
        except Exception:  # see the docstring: never fail a stored reply
            log.exception("budget monitor: could not update this month's spend")

    def _in_cached_month(self, now: datetime) -> bool:
        return self._month_start <= now < self._month_end

    def _refresh_due(self, now: datetime) -> bool:
        if self._refreshed_at is None:
            return True
        elapsed = (now - self._refreshed_at).total_seconds()
        return not 0 <= elapsed < self.refresh_seconds  # a clock set back refreshes too

    def _counts_new_contact(self, contact_id: int | None) -> bool:
        """Note a contact created since the last count; True when a recount is due.

        Ids only grow, so an id above the newest seen is a new contact (give or
        take contacts merged away, which the recount settles).
        """
        if (
            contact_id is None
            or contact_id <= self._newest_contact_id
            or self._customer_key in self._fired
        ):
            return False
        self._newest_contact_id = contact_id
        self._contacts += 1
        return self._contacts >= self.customer_alert_threshold

    @property
    def _customer_key(self) -> str:
        return f"customers:{self.customer_alert_threshold}"

    async def _fire_crossed(self) -> None:
        """Fire every alert whose threshold the cached figures have reached."""
        month = self._month
        if month is not None and self.monthly_budget_usd > 0:
            for percent in BUDGET_THRESHOLDS:
                key = f"budget:{month}:{percent}"
                if (
                    key not in self._fired
                    and self._spend >= self.monthly_budget_usd * percent / 100
                ):
                    await self._fire_once(self._budget_alert(key, month, percent))
        if (
            self._customer_key not in self._fired
            and self._contacts >= self.customer_alert_threshold
        ):
            await self._fire_once(self._customer_alert())

    async def _fire_once(self, alert: Alert) -> None:
        if alert.key in self._fired:  # a concurrent check got here first
            return
        self._fired.add(alert.key)  # before the await: a concurrent check must not fire it too
        try:
            async with self._fire_lock:
                await self.alerts.fire(alert)
        except BaseException:
            self._fired.discard(alert.key)  # not recorded: let the next check try again
            raise

    def _budget_alert(self, key: str, month: str, percent: int) -> Alert:
        spent = f"${self._spend:,.2f}"
        budget = f"${self.monthly_budget_usd:,.2f}"
        message = (
            f"Spend for {month} (UTC), models and SMS together, is {spent}, {percent}% or "
            f"more of the {budget} monthly budget (MONTHLY_BUDGET_USD)."
        )
        if percent >= 100:
            message += (
                " BUDGET_HARD_CAP is on: paid models now refuse and the bot answers from "
                "free models until the month ends."
                if self.hard_cap
                else " BUDGET_HARD_CAP is off: paid models keep answering."
            )
        return Alert(key=key, kind="budget", message=message)

    def _customer_alert(self) -> Alert:
        threshold = self.customer_alert_threshold
        return Alert(
            key=self._customer_key,
            kind="customers",
            message=(
                f"The bot now knows {threshold:,} contacts (CUSTOMER_ALERT_THRESHOLD): "
                "time to review the plan's upgrade triggers."
            ),
        )
