"""Lead openings for bench/answers.py: does the reply move the enquiry forward?

Each opening ("hi, we are planning a party for 20 people next month") is sent
from a new customer. A good reply asks for the next missing lead field, the one
the lead agent's own code picks (`agents.lead_nurturing.asking`: date, guests, city,
name, the first the message did not give), does not repeat the customer, does
not apologise for nothing, and does not ask for what the message said.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agents.business import BusinessProfile
from agents.lead_nurturing.asking import ORDER, apologises_for_nothing, asks_for, echoes, next_field
from agents.lead_nurturing.business_terms import BusinessTerms
from agents.lead_nurturing.extraction import extract_lead
from agents.replies import near_repeat


def expected_field(text: str, business: BusinessProfile, terms: BusinessTerms) -> str | None:
    """The lead field the reply to an opening should ask for, as the lead agent picks it."""
    today = datetime.now(_zone(business.timezone)).date()
    known = extract_lead(text, today=today, service_area=terms.names()).known()
    return next_field(name for name in ORDER if not known.get(name))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def openings(
    ask: Callable[..., Awaitable[Any]], rows: list[dict[str, Any]], folder: Path, *, customer: int
) -> dict[str, Any]:
    """Each lead opening from a new customer: does the reply ask the next missing field,
    without repeating the customer, apologising, or asking for what they said?"""
    business = BusinessProfile.from_folder(folder)
    terms = BusinessTerms.from_notes(text for _, text in business.notes)
    asks = echo = sorry = known_asked = 0
    times: list[float] = []
    wrong: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        text = row["text"]
        field = expected_field(text, business, terms)
        today = datetime.now(_zone(business.timezone)).date()
        told = extract_lead(text, today=today, service_area=terms.names()).known()
        answer = await ask(text, customer=customer + i)
        times.append(answer.ms)
        problems = []
        if field is not None and not asks_for(answer.text, field):
            problems.append(f"does not ask for {field}")
        else:
            asks += 1
        if echoes(answer.text, text) or near_repeat(answer.text, [text], threshold=0.6):
            echo += 1
            problems.append("repeats the customer")
        if apologises_for_nothing(answer.text, text):
            sorry += 1
            problems.append("apologises for nothing")
        again = [n for n in told if n != field and asks_for(answer.text, n)]
        if again:
            known_asked += 1
            problems.append(f"asks for {', '.join(again)} again")
        if problems:
            wrong.append({"q": text, "agent": answer.agent, "how": answer.how}
                         | {"reply": answer.text, "problems": problems})  # fmt: skip
    return {
        "bench": "lead-openings",
        "openings": len(rows),
        "asks_next_field": f"{asks}/{len(rows)}",
        "repeats_customer": echo,
        "apologises": sorry,
        "asks_known_again": known_asked,
        "p50_ms": round(statistics.median(times), 1) if times else 0.0,
        "max_ms": round(max(times), 1) if times else 0.0,
        "wrong": wrong,
    }
