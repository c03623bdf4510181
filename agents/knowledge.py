"""The knowledge agent: answers questions from the business's own documents.

It answers from the chunks retrieval found (cited in the stored reply), and
when a question asks for a fact no chunk answers well enough, it says so and
offers to ask the team, decided in code: a small model told "say you do not
know" still invents a price now and then; code never does.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agents.base import Agent, AgentRequest, decided
from agents.knowledge_base.questions import asks_for_fact
from agents.providers.base import HANDOFF, Completion

#: The answer to a fact question the documents do not answer.
NOT_IN_DOCUMENTS = (
    "I'm not sure about that one, and I'd rather not guess. "
    "I can ask the team and get back to you here - would that help?"
)

#: "Yes" to the offer above: the question goes to a person.
_ACCEPTS = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|please|ok(?:ay)?|go ahead|that would help|y)\b", re.IGNORECASE
)


class KnowledgeAgent(Agent):
    """Answers questions about the menu, policies, service area and how an event works."""

    name = "knowledge"
    description = "General questions: menu, allergies, policies, service area, what we bring."
    instructions = """
You answer questions about {business} using only the facts and documents below.
If they do not answer the question, say you are not sure and offer to ask the
team; never guess a price, a policy or an ingredient. Answer in one to three
sentences, plain text, no Markdown.
"""

    async def decide(self, request: AgentRequest) -> Completion | None:
        """Say "not sure, shall I ask the team?" to a fact question no document answers,
        and hand the conversation to a person when the customer says yes."""
        knowledge = self.agent_tools.knowledge
        if knowledge is None:
            return None
        accepted = _accepted_offer(request)
        if accepted is not None:
            answer = decided(
                "",
                "no-knowledge-handoff",
                tool="knowledge_base",
                handoff_reason=f"a question the documents do not answer: {accepted}",
            )
            return replace(answer, finish_reason=HANDOFF)
        if not asks_for_fact(request.text):
            return None
        if await knowledge.relevant(request.text):
            return None
        return decided(NOT_IN_DOCUMENTS, "no-knowledge", tool="knowledge_base")

    def needs_knowledge(self, request: AgentRequest) -> bool:
        # Whatever the message, this agent's answer should stand on the documents.
        return True


def _accepted_offer(request: AgentRequest) -> str | None:
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
