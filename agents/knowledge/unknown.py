"""The honest answer to a fact question the business's documents do not answer.

A small model told "say you do not know" still invents a price now and then;
code never does. Any agent that answers customers' fact questions asks
`answer_unknown` first: it says "not sure, shall I ask the team?" when no
chunk is good enough, and hands the conversation to a person when the
customer says yes to that offer.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agents.decided import decided
from agents.knowledge.coverage import GENERIC
from agents.knowledge.questions import asks_about_us, asks_for_fact
from agents.knowledge.terms import terms
from agents.providers.base import HANDOFF, Completion
from agents.request import AgentRequest
from agents.tools import KnowledgeBase

#: The answer to a fact question the documents do not answer.
NOT_IN_DOCUMENTS = (
    "I'm not sure about that one, and I'd rather not guess. "
    "I can ask the team and get back to you here - would that help?"
)

#: "Yes" to the offer above: the question goes to a person.
_ACCEPTS = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|please|ok(?:ay)?|go ahead|that would help|y)\b", re.IGNORECASE
)


async def answer_unknown(
    request: AgentRequest, knowledge: KnowledgeBase | None, *, about: str = ""
) -> Completion | None:
    """Say "not sure" to an unanswered fact question; hand off on "yes" to asking the team.

    None when the documents answer the question, when ``about`` (the business's
    own description, in every prompt) holds every word it asks about ("do you
    cater?"), when it is not a fact question, or when there is no knowledge
    base (``knowledge`` None).
    """
    if knowledge is None:
        return None
    accepted = accepted_offer(request)
    if accepted is not None:
        answer = decided(
            "",
            "no-knowledge-handoff",
            tool="knowledge_base",
            handoff_reason=f"a question the documents do not answer: {accepted}",
        )
        return replace(answer, finish_reason=HANDOFF)
    if not asks_for_fact(request.text) or asks_about_us(request.text):
        return None  # "what do you guys do?": the business's description answers
    if await knowledge.relevant(request.text, also=terms(about)) or _describes(about, request.text):
        return None
    return decided(NOT_IN_DOCUMENTS, "no-knowledge", tool="knowledge_base", answer="not-sure")


def _describes(about: str, question: str) -> bool:
    """Whether every topic word ``question`` asks about is in ``about``.

    Words that name no topic ("weddings", "expected") do not count: "do you cater
    weddings?" asks whether the business caters, which its description says.
    """
    asked = {term for term in terms(question) if term not in GENERIC}
    return bool(asked) and asked <= set(terms(about))


def accepted_offer(request: AgentRequest) -> str | None:
    """The unanswered question when ``request`` says yes to asking the team, else None."""
    history = list(request.history)
    if len(history) < 2 or not _ACCEPTS.match(request.text):
        return None
    offer, question = history[-1], history[-2]
    if (
        offer.direction != "out"
        or not offer.text.startswith(NOT_IN_DOCUMENTS[:40])
        or question.direction != "in"
    ):
        return None
    return question.text[:300]
