"""What an agent is given to answer one message (`AgentRequest`) and what it can do (`Tool`).

An agent never knows which channel a message came from except through the
neutral fields of `AgentRequest`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from memory.history import HistoryEntry


@dataclass(frozen=True, slots=True)
class Tool:
    """Something an agent can do besides talking (look up a booking, score a lead)."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class AgentRequest:
    """Everything an agent may use to answer one message."""

    text: str
    channel: str
    history: Sequence[HistoryEntry] = ()
    contact_name: str | None = None
    contact_facts: Mapping[str, Any] = field(default_factory=dict)
    knowledge: Sequence[str] = ()
    #: The knowledge chunks behind ``knowledge`` (chunk_id, source, heading, score):
    #: copied into the answer's extras, so the stored reply cites them.
    citations: Sequence[Mapping[str, Any]] = ()
    #: Who is asking, for tools that read or change their records.
    contact_id: int | None = None
    conversation_id: int | None = None
    #: The stored id of this message.
    message_id: int | None = None
    #: A team member (Slack workspace, TEAM_TELEGRAM_IDS): may see internal data.
    is_team: bool = False
    #: How sure the router was that this agent should answer (None: not routed).
    route_confidence: float | None = None
    #: The retrieved chunks themselves (`Hit`s): extractive answers quote them.
    hits: Sequence[Any] = ()
    #: What to ask next, decided in code (the lead agent's first missing field).
    next_question: str | None = None
