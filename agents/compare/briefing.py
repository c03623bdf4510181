"""What /compare tells the models about the business, so they answer for it.

Asked bare, "is a deposit usual?" was answered about bank loans and "is a tip
expected?" against the business's own 18-20%. Every contestant gets the same
briefing (the business's summary and the document chunks relevant to the
question), so the answers stay comparable; ``/compare --bare`` leaves it out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from agents.tools import KnowledgeBase

#: question → the text added to the contestants' system prompt ("" for none).
Briefing = Callable[[str], Awaitable[str]]


def business_briefing(*, name: str, summary: str, retriever: KnowledgeBase | None) -> Briefing:
    """A `Briefing` from the business's name and summary and its documents' relevant chunks."""

    async def brief(question: str) -> str:
        lines = [f"You answer for {name}, a business: {summary}".rstrip(": ")]
        hits = await retriever.relevant(question) if retriever is not None else []
        if hits:
            lines.append("What its documents say that bears on the question:")
            lines += [f"- {hit.heading}: {' '.join(hit.text.split())}" for hit in hits]
        lines.append("Answer as this business would, from these facts where they apply.")
        return "\n".join(lines)

    return brief
