"""The operations agent: the team's assistant for schedules, supplies and numbers.

Team members only (`AgentRequest.is_team`: Slack, the console, the API,
TEAM_TELEGRAM_IDS). Anyone else is refused in code, before any data is read
or any model sees it, with a line that reveals nothing internal. For the team,
a question that is clearly about the schedule, the lead pipeline or costs is
answered from the data in code; anything else goes to the model with that
data in its prompt.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agents.base import Agent
from agents.decided import decided
from agents.providers.base import Completion
from agents.request import AgentRequest, Tool
from agents.tools import Reports

#: What a customer who asks an operations question is told: nothing internal.
REFUSAL = (
    "That's something our team handles - I can help with bookings, prices or "
    "questions about our service."
)

#: Topics answered from data, by tool name: (the tool, the words that ask for it).
_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "list_bookings",
        re.compile(
            r"\b(?:today|tonight|tomorrow|schedule|bookings?|events?|jobs?|gigs?|"
            r"on the books|calendar)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "lead_pipeline",
        re.compile(r"\b(?:pipeline|leads?|prospects?|inquir\w*|enquir\w*)\b", re.IGNORECASE),
    ),
    (
        "cost_report",
        re.compile(
            r"\b(?:costs?|spend\w*|spent|budget|model calls?|api calls?|tokens?|ai bill)\b",
            re.IGNORECASE,
        ),
    ),
)


class OperationsAgent(Agent):
    """Answers team members about bookings, staff, supplies, the pipeline and costs."""

    name = "operations"
    description = "Team questions: schedules, staffing, supplies, lead pipeline, costs."
    instructions = """
You are the operations assistant for the team of {business}. Team members ask
about today's and upcoming events, chef schedules, supplies, vans, the lead
pipeline and costs. Answer only from data you are given; when you do not have
the data, say exactly what you would need. Be brief and factual, plain text.
"""
    # The team's numbers (costs, the pipeline) come from data, not the documents.
    checks_amounts = False
    tools = (
        Tool("list_bookings", "Today's and tomorrow's bookings."),
        Tool("lead_pipeline", "Open leads by stage."),
        Tool("cost_report", "Model spend by provider and agent."),
    )
    # A day's bookings and the pipeline take more room than a chat answer.
    max_tokens = 320

    @property
    def reports(self) -> Reports | None:
        """The team's reports, when the runtime gave them."""
        return self.agent_tools.reports

    async def decide(self, request: AgentRequest) -> Completion | None:
        """Refuse anyone outside the team; answer a clear data question from the data."""
        if not request.is_team:
            return decided(REFUSAL, "team-only", tool="refused")
        reports = self.reports
        if reports is None:
            return None
        asked = [tool for tool, words in _TOPICS if words.search(request.text)]
        if not asked:
            return None
        sections = [await self._section(reports, tool) for tool in asked]
        return decided("\n\n".join(sections), "ops-report", tool=",".join(asked))

    async def prepare(self, request: AgentRequest) -> AgentRequest:
        """For the team, the schedule, pipeline and costs go into the model's prompt."""
        request = await super().prepare(request)
        reports = self.reports
        if reports is None or not request.is_team:
            return request
        data = [await self._section(reports, tool) for tool, _ in _TOPICS]
        return replace(request, knowledge=(*request.knowledge, *data))

    @staticmethod
    async def _section(reports: Reports, tool: str) -> str:
        if tool == "list_bookings":
            return await reports.schedule()
        if tool == "lead_pipeline":
            return await reports.pipeline()
        return await reports.costs()
