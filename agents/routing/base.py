"""What every router gives and is: a `Route` (agent, confidence, reason) from a `Router`.

Two routers implement it: `agents.routing.keywords.KeywordRouter` (weighted
phrases) and `agents.routing.router.ExampleRouter` (example utterances).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

#: The route that is no agent: a person must answer (asked for one, an angry
#: escalation, a legal threat, a safety incident). The orchestrator hands off.
HUMAN_ROUTE = "human"


@dataclass(frozen=True, slots=True)
class Route:
    """The chosen agent, how sure the router is (0 to 1), and why."""

    agent: str
    confidence: float
    reason: str


class Router(abc.ABC):
    """Picks one agent per message."""

    @abc.abstractmethod
    async def route(
        self,
        text: str,
        *,
        channel: str,
        current_agent: str | None = None,
        is_team: bool | None = None,
    ) -> Route:
        """The agent for ``text`` on ``channel``; ``current_agent`` serves the conversation.

        ``is_team`` says whether the sender is on the team (the orchestrator knows:
        Slack, the console, the API, TEAM_TELEGRAM_IDS); None infers it from the
        channel (the business's team channels).
        """
