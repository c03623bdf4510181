"""``/admin/costs``: the month's spend per day by provider and model, against the budget,
and the growth figures (contacts against the alert threshold, messages this month).

The figures are those of ``bot costs`` (`memory.spend.SpendLedger`, the
budget's own total: models and paid sends) plus the per-day split
(`memory.spend_daily.DailySpend`); days and months are UTC.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from bot.admin.chart import cumulative_chart, daily_chart, series_colours
from bot.admin.security import Member
from bot.admin.views import render
from bot.cli.costs import budget_used_pct
from bot.http.common import RuntimeDep
from memory.contact_timeline import ContactTimeline
from memory.models import utcnow
from memory.spend import SpendLedger, month_bounds, month_key, parse_month
from memory.spend_daily import DailySpend

router = APIRouter()


@router.get("/costs")
async def costs(
    member: Member,
    rt: RuntimeDep,
    month: Annotated[str | None, Query(pattern=r"^2\d\d\d-(0[1-9]|1[0-2])$")] = None,
) -> Response:
    """The month's chart, its totals by provider and model, and the growth figures."""
    now = utcnow()
    try:
        moment = parse_month(month) if month else now
    except ValueError as exc:
        raise HTTPException(422, f"month: {exc}") from None
    start, end = month_bounds(moment)
    report = await SpendLedger(rt.db).report(start, end)
    rows = await DailySpend(rt.db).by_day(start, end)
    days = [start.date() + timedelta(days=i) for i in range((end - start).days)]
    spend: dict[str, dict[date, float]] = {}
    for row in sorted(rows, key=lambda r: -r.cost_usd):
        spend.setdefault(row.series, {})[row.day] = row.cost_usd
    colours = series_colours(list(spend))
    totals = [sum(s.get(day, 0.0) for s in spend.values()) for day in days]
    budget = rt.settings.monthly_budget_usd
    pace = budget / len(days) if budget > 0 else None  # the budget spread evenly over the month
    upto = len(days) if end <= now else (now - start).days + 1
    timeline = ContactTimeline(rt.db)
    growth = {
        "live_contacts": await SpendLedger(rt.db).live_contacts(),
        "threshold": rt.settings.customer_alert_threshold,
        "new_contacts": await timeline.new_contacts(start, end),
        "messages": await timeline.message_counts(start, end),
    }
    previous = month_key(start - timedelta(days=1))
    following = month_key(end) if end <= now else None
    return render(
        "costs.html",
        member=member,
        page="costs",
        month=month_key(start),
        previous=previous,
        following=following,
        report=report,
        budget=budget,
        used_pct=budget_used_pct(report.cost_usd, budget),
        hard_cap=rt.settings.budget_hard_cap,
        colours=colours,
        pace=pace,
        daily=daily_chart(days, spend, daily_pace=pace, colours=colours),
        cumulative=cumulative_chart(days, totals, budget=budget, upto=max(upto, 0)),
        growth=growth,
    )
