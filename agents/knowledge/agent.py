"""The knowledge agent: answers questions from the business's own documents.

It answers from the chunks retrieval found (cited in the stored reply), and
when a question asks for a fact no chunk answers well enough, it says so and
offers to ask the team, decided in code: a small model told "say you do not
know" still invents a price now and then; code never does.
"""

from __future__ import annotations

from agents.base import Agent
from agents.knowledge.unknown import NOT_IN_DOCUMENTS, answer_unknown
from agents.providers.base import Completion
from agents.request import AgentRequest

__all__ = ["NOT_IN_DOCUMENTS", "KnowledgeAgent"]


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
        return await answer_unknown(request, self.agent_tools.knowledge, about=self.about)

    def needs_knowledge(self, request: AgentRequest) -> bool:
        # Whatever the message, this agent's answer should stand on the documents.
        return True
