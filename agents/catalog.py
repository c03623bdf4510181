"""The four agents, built for one business."""

from __future__ import annotations

from collections.abc import Sequence

from agents.base import Agent
from agents.business import BusinessProfile
from agents.customer_care.agent import CustomerCareAgent
from agents.knowledge.agent import KnowledgeAgent
from agents.lead_nurturing.agent import LeadNurturingAgent
from agents.operations.agent import OperationsAgent
from agents.tools import AgentTools

AGENT_CLASSES: tuple[type[Agent], ...] = (
    LeadNurturingAgent,
    CustomerCareAgent,
    OperationsAgent,
    KnowledgeAgent,
)


def build_agents(
    business: BusinessProfile,
    *,
    history_chars: int = 2400,
    tools: AgentTools | None = None,
    extractive_models: Sequence[str] | None = None,
) -> dict[str, Agent]:
    """Every agent, by name, sharing one set of tools.

    ``extractive_models`` (ANSWER_EXTRACTIVE_MODELS): the models whose fact
    answers are the documents' own sentences (`Agent.facts_answer`).
    """
    tools = tools or AgentTools()
    return {
        cls.name: cls(
            business, history_chars=history_chars, tools=tools, extractive_models=extractive_models
        )
        for cls in AGENT_CLASSES
    }
