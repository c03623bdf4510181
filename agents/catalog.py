"""The four agents, built for one business."""

from __future__ import annotations

from agents.base import Agent
from agents.business import BusinessProfile
from agents.customer_care import CustomerCareAgent
from agents.knowledge import KnowledgeAgent
from agents.lead_nurturing import LeadNurturingAgent
from agents.operations import OperationsAgent
from agents.tools import AgentTools

AGENT_CLASSES: tuple[type[Agent], ...] = (
    LeadNurturingAgent,
    CustomerCareAgent,
    OperationsAgent,
    KnowledgeAgent,
)


def build_agents(
    business: BusinessProfile, *, history_chars: int = 2400, tools: AgentTools | None = None
) -> dict[str, Agent]:
    """Every agent, by name, sharing one set of tools."""
    tools = tools or AgentTools()
    return {
        cls.name: cls(business, history_chars=history_chars, tools=tools) for cls in AGENT_CLASSES
    }
