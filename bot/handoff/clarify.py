"""What to do with a route: answer, ask one clarifying question, or hand to a person.

The router always names its best guess. On a customer channel a guess below
``ROUTER_MIN_CONFIDENCE`` is not acted on: the customer is asked one short
question, and a second unclear message in a row goes to a person rather than
a second question. Team channels (Slack, the console, team Telegram ids) get
the best guess: a wrong agent costs a teammate a re-phrase, not a customer.
The ``human`` route goes to a person on every channel, unless it is itself
unsure on a customer channel: then the customer is asked first, like any
unsure route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from agents.decided import decided
from agents.routing.base import HUMAN_ROUTE, Route
from bot.agent_answer import AgentAnswer
from memory.history import HistoryEntry

#: The agent name stored on a clarifying question (no agent or model wrote it).
CLARIFY_AGENT = "clarify"
#: What an unclear customer message gets, once.
CLARIFYING_QUESTION = "Is this about a new booking, an existing one, or a general question?"

Action = Literal["answer", "clarify", "handoff"]


@dataclass(frozen=True, slots=True)
class Step:
    """The orchestrator's next step for a routed message, and why."""

    action: Action
    reason: str = ""

    def decided(self) -> tuple[str, AgentAnswer]:
        """A clarify or handoff step: the agent name stored, and the reply decided in code."""
        if self.action == "clarify":
            asked = decided(CLARIFYING_QUESTION, "clarify")
            return CLARIFY_AGENT, AgentAnswer(asked, (), asked.outcome, CLARIFYING_QUESTION)
        handed = decided("", "handoff")
        return HUMAN_ROUTE, AgentAnswer(handed, (), handed.outcome, "", handoff_reason=self.reason)


@dataclass(frozen=True, slots=True)
class Clarifier:
    """Decides between answering, clarifying and handing off (see the module doc)."""

    #: ``ROUTER_MIN_CONFIDENCE``: routes below it are not trusted on customer channels.
    min_confidence: float = 0.0

    def next_step(
        self, route: Route, *, is_team: bool, channel: str, history: Sequence[HistoryEntry]
    ) -> Step:
        """The step for ``route`` of a message on ``channel``; ``history`` is before it."""
        sure = route.confidence >= self.min_confidence
        # An unsure "human" on a customer channel is asked about like any unsure route:
        # a wrong handoff silences the bot and pulls in the team for nothing.
        if route.agent == HUMAN_ROUTE and (sure or is_team):
            return Step("handoff", f"asked for a person ({route.reason})")
        if is_team or sure:
            return Step("answer")
        if just_clarified(history, channel=channel):
            return Step(
                "handoff",
                f"still unclear after a clarifying question (confidence {route.confidence:.2f})",
            )
        return Step("clarify", f"low confidence {route.confidence:.2f} for {route.agent}")


def just_clarified(history: Sequence[HistoryEntry], *, channel: str) -> bool:
    """Whether the bot's last word on ``channel`` was a clarifying question.

    Only the latest message counts: a clarifying question followed by an
    answered message means the next unclear one may be asked about again.
    """
    for entry in reversed(history):
        if entry.channel != channel:
            continue
        return entry.direction == "out" and entry.agent == CLARIFY_AGENT
    return False
