"""`KeywordRouter`: the first router, weighted phrases per agent.

A bias towards operations on team channels, and stickiness to the agent already
serving a conversation when nothing points elsewhere. It always says why it
chose. A business without a ``routing.yml`` is routed by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from agents.routing.base import Route, Router

#: Where the team talks: operations is favoured there.
TEAM_CHANNELS = frozenset({"slack"})

#: Phrases (regular expressions, matched case-insensitively on word boundaries) and weights.
DEFAULT_KEYWORDS: Mapping[str, Mapping[str, float]] = {
    "lead_nurturing": {
        r"price|pricing|prices|cost|costs|quote|how much|per person|run me": 2.0,
        r"availab\w*|free on|open on|book (?:you|a|for)|reserve a date|lock in": 2.0,
        r"packages?|deposit|discounts?|upgrades?|minimum": 1.5,
        r"party|birthday|bday|wedding|anniversary|graduation|corporate|guests|people": 1.0,
    },
    "customer_care": {
        r"my (?:booking|reservation|event|order|party|confirmation|deposit)": 2.5,
        r"our (?:booking|reservation|event|party)": 2.0,
        r"refund\w*|charged|receipt|cancel\w*|reschedul\w*|move my|push it": 2.0,
        r"complain\w*|rude|cold|disappointed|never showed|mess|wrong|late": 2.0,
        r"thank you|amazing": 0.5,
    },
    "operations": {
        r"shifts?|staff|schedule|roster|cover \w+'?s?|assigned|headcount": 2.0,
        r"suppl(?:y|ies)|vendor|propane|inventory|order from|van|truck|route|repair\w*": 2.0,
        r"pipeline|how many events|do we have|we spend|did we spend|spend on|api calls": 2.5,
        r"chefs (?:are )?(?:working|available)|team": 1.0,
    },
    "knowledge": {
        r"menu|included?|policy|policies|allerg\w*|gluten|vegan|vegetarian|peanut": 2.0,
        r"rain|weather|insured|insurance|areas?|serve|space|indoors?|outside": 1.5,
        r"plates|utensils|sake|byob|alcohol|tips?|gratuity|how long|bring": 1.5,
    },
}


class KeywordRouter(Router):
    """Scores weighted phrases per agent; explains the winning phrases."""

    def __init__(
        self,
        keywords: Mapping[str, Mapping[str, float]] = DEFAULT_KEYWORDS,
        *,
        default_agent: str = "knowledge",
        team_channels: Iterable[str] = TEAM_CHANNELS,
    ) -> None:
        self.default_agent = default_agent
        self.team_channels = frozenset(team_channels)
        self._patterns = {
            agent: [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), w) for p, w in phrases.items()]
            for agent, phrases in keywords.items()
        }

    @property
    def agents(self) -> list[str]:
        """The agents this router can choose."""
        return list(self._patterns)

    async def route(
        self,
        text: str,
        *,
        channel: str,
        current_agent: str | None = None,
        is_team: bool | None = None,
    ) -> Route:
        scores: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        for agent, patterns in self._patterns.items():
            for pattern, weight in patterns:
                found = pattern.search(text)
                if found:
                    scores[agent] = scores.get(agent, 0.0) + weight
                    evidence.setdefault(agent, []).append(found.group(0).lower())
        # The team's own channels lean to operations, unless the sender is known to be a customer.
        if (
            channel in self.team_channels
            and is_team is not False
            and "operations" in self._patterns
        ):
            scores["operations"] = scores.get("operations", 0.0) + 1.5
            evidence.setdefault("operations", []).append(f"team channel {channel}")
        if not scores or max(scores.values()) < 1.5:
            if current_agent in self._patterns:
                return Route(current_agent, 0.5, "no clear topic: stays with the current agent")
            return Route(self.default_agent, 0.3, "no clear topic: default agent")
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        best, best_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if current_agent in scores and scores[current_agent] == best_score:
            best = current_agent  # a tie goes to the agent already serving the conversation
        confidence = round(best_score / (best_score + runner_up + 1.0), 2)
        return Route(best, confidence, f"matched {', '.join(evidence[best])}")
