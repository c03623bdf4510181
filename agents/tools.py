"""`AgentTools`: what the agents can do besides talking, wired once per process.

Each field is optional so an agent built without a database (unit tests, the
benchmarks) still answers; an agent whose tool is missing answers from the
model alone. The runtime fills them from its stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class AgentTools:
    """The stores and services the agents' tools use."""

    #: The business's documents: retrieval for grounded answers (agents/knowledge).
    knowledge: Any = None
    #: Bookings: customer care looks them up and changes them; operations lists them.
    bookings: Any = None
    #: Lead fields, lead score and follow-ups of contacts (lead nurturing, operations).
    leads: Any = None
    #: The team's numbers: lead pipeline and cost report (operations only).
    reports: Any = None
