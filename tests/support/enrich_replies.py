"""Reply functions for /enrich tests, importable by a ``bot`` subprocess
(``ENRICH_MODEL=function:tests.support.enrich_replies:lead``).

``lead`` answers like a careful model: a valid `EnrichmentDraft` whose one
intent signal quotes the last unflagged source of the prompt word for word,
so the enricher's evidence check keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agents.enrich.result import EnrichmentDraft, IntentSignal
from agents.providers.base import ChatMessage

#: The score ``lead`` proposes; one verified signal allows up to 0.65.
LEAD_SCORE = 0.6


def prompt_sources(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """The sources the /enrich prompt quotes (the JSON between ``<sources>`` tags)."""
    text = messages[-1].content
    start, end = text.find("<sources>"), text.find("</sources>")
    if start < 0 or end < 0:
        return []
    return list(json.loads(text[start + len("<sources>") : end]))


def lead(messages: Sequence[ChatMessage]) -> str:
    """A valid draft (lead score 0.6) with one signal quoting a source exactly."""
    usable = [s for s in prompt_sources(messages) if not s.get("flags") and s["content"].strip()]
    signals = []
    if usable:
        source = usable[-1]
        quote = " ".join(source["content"].split()[:6])
        signals.append(
            IntentSignal(signal="wants what we sell", source_url=source["url"], evidence=quote)
        )
    draft = EnrichmentDraft(
        expertise_areas=["operations", "events"],
        project_fit="Corporate events: team lunches and office parties.",
        outreach_approach="A short, friendly e-mail offering a weekday tasting.",
        first_message="Hi! We cook hibachi dinners for teams; want a date for your offsite?",
        email=None,
        lead_score=LEAD_SCORE,
        intent_signals=signals,
    )
    return draft.model_dump_json()


def garbled(messages: Sequence[ChatMessage]) -> str:
    """Never valid JSON: the structured call fails after its repair attempts."""
    return "Sure! Jane looks like a great lead."
