"""Inline SVG charts of the month's spend, drawn on the server (no JavaScript chart library).

- `daily_chart`: spend per UTC day, one stacked bar per day with a colour per
  series (``provider:model``, ``sms sends``), and the budget's daily pace (the
  monthly budget over the month's days) as a dashed line.
- `cumulative_chart`: the month's running total against the monthly budget.

Every label is escaped: a model id is data, not markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from markupsafe import Markup

from bot.cli.costs import money

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 28
#: Distinct colours that stay readable on white; series past the last reuse them.
PALETTE = ("#2f6fb0", "#e07b28", "#3a9a5b", "#b8443f", "#7d5ba6", "#8c6d3f", "#cc6fb0", "#6b7a8f")


def series_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per series, in order."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _scale(top_value: float) -> float:
    """A round upper bound for the axis (1, 2 or 5 times a power of ten)."""
    if top_value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top_value))
    return next(power * f for f in (1, 2, 5, 10) if power * f >= top_value)


def _tick(value: float, axis_max: float) -> str:
    """An axis amount with as many decimals as the axis needs (``$0.0025``, ``$250``)."""
    decimals = max(0, 2 - math.floor(math.log10(axis_max))) if axis_max > 0 else 0
    return f"${value:,.{decimals}f}"


def _frame(title: str, axis_max: float, days: Sequence[date]) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):  # horizontal grid lines and their amounts
        value = axis_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_tick(value, axis_max)}</text>"
        )
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    for i, day in enumerate(days):
        if day.day == 1 or day.day % 5 == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{day.day}</text>'
            )
    return parts


def daily_chart(
    days: Sequence[date],
    spend: Mapping[str, Mapping[date, float]],
    *,
    daily_pace: float | None,
    colours: Mapping[str, str],
) -> Markup:
    """Stacked bars of each day's spend per series, and the budget's daily pace."""
    totals = [sum(series.get(day, 0.0) for series in spend.values()) for day in days]
    highest = max([*totals, 0.0])
    # A pace far above the spend would flatten every bar: then the axis follows the spend
    # and the pace is written at the top instead of drawn.
    pace_drawn = bool(daily_pace) and (highest == 0 or (daily_pace or 0) <= 4 * highest)
    axis_max = _scale(max(highest, daily_pace or 0.0) if pace_drawn else highest)
    parts = _frame("Spend per day (UTC) by model", axis_max, days)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    for i, day in enumerate(days):
        y: float = TOP + plot_h
        for name, series in spend.items():
            amount = series.get(day, 0.0)
            if amount <= 0:
                continue
            h = plot_h * amount / axis_max
            y -= h
            parts.append(
                f'<rect x="{LEFT + slot * i + slot * 0.15:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{colours[name]}">'
                f"<title>{day.isoformat()} {escape(name)}: {escape(money(amount))}</title></rect>"
            )
    if daily_pace and not pace_drawn:
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{TOP + 10}" text-anchor="end" class="off-scale">'
            f"budget pace {escape(money(daily_pace))} a day: above this scale</text>"
        )
    elif daily_pace:
        y = TOP + plot_h - plot_h * daily_pace / axis_max
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="budget">'
            f"<title>budget pace: {escape(money(daily_pace))} a day</title></line>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def cumulative_chart(
    days: Sequence[date], daily_totals: Sequence[float], *, budget: float, upto: int
) -> Markup:
    """The month's running total (days up to ``upto``) against the monthly budget."""
    running, total = [], 0.0
    for amount in daily_totals[:upto]:
        total += amount
        running.append(total)
    axis_max = _scale(max([*running, budget, 0.0]))
    parts = _frame("Spend so far this month against the budget", axis_max, days)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    points = " ".join(
        f"{LEFT + slot * (i + 0.5):.1f},{TOP + plot_h - plot_h * value / axis_max:.1f}"
        for i, value in enumerate(running)
    )
    if points:
        parts.append(f'<polyline points="{points}" class="running"/>')
    if budget > 0:
        y = TOP + plot_h - plot_h * budget / axis_max
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="budget">'
            f"<title>monthly budget: {escape(money(budget))}</title></line>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
