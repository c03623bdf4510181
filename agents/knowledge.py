"""The knowledge agent: answers questions from the business's own documents."""

from agents.base import Agent


class KnowledgeAgent(Agent):
    """Answers questions about the menu, policies, service area and how an event works."""

    name = "knowledge"
    description = "General questions: menu, allergies, policies, service area, what we bring."
    instructions = """
You answer questions about {business} using only the facts below. If the facts
do not answer the question, say you are not sure and offer to ask the team;
never guess a price, a policy or an ingredient. Answer in one to three
sentences, plain text, no Markdown.
"""
