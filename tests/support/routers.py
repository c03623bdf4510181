"""`ScriptedRouter`: a `Router` double that routes by the message text, deterministically.

Tests about what happens after routing (handoffs, clarifying questions) give
it the routes they need instead of depending on the real router's examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from agents.routing.base import HUMAN_ROUTE, Route, Router

AGENTS = ("lead_nurturing", "customer_care", "operations", "knowledge")


@dataclass
class ScriptedRouter(Router):
    """``routes[text]`` (agent, confidence) for known texts, else ``default``, fully sure."""

    routes: Mapping[str, tuple[str, float]] = field(default_factory=dict)
    default: str = "lead_nurturing"
    #: Every (text, channel, current agent) routed, in order.
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def agents(self) -> list[str]:
        """The agents it may name (the human route too)."""
        return [*AGENTS, HUMAN_ROUTE]

    async def route(
        self,
        text: str,
        *,
        channel: str,
        current_agent: str | None = None,
        is_team: bool | None = None,
    ) -> Route:
        self.seen.append((text, channel, current_agent))
        agent, confidence = self.routes.get(text, (self.default, 1.0))
        return Route(agent, confidence, f"scripted for {text!r}")
