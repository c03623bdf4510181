"""`Agent`: a role with a system prompt and tools, that answers through a `ModelProvider`.

An agent never knows which channel a message came from except through the
neutral fields of `AgentRequest`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from agents.business import BusinessProfile
from agents.facts import FactIndex, fact_lines
from agents.providers.base import ChatMessage, Completion, ModelProvider
from memory.conversations import HistoryEntry

#: Called with each piece of text as the model writes it.
DeltaCallback = Callable[[str], Awaitable[None] | None]


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


class Agent:
    """One specialised assistant. Subclasses set the class attributes."""

    name: ClassVar[str]
    description: ClassVar[str]
    #: The role, in the second person; the business's facts are added after it.
    instructions: ClassVar[str]
    tools: ClassVar[tuple[Tool, ...]] = ()
    # Front-desk answers are short; a small model that runs long only rambles.
    max_tokens: ClassVar[int] = 160
    temperature: ClassVar[float] = 0.3
    #: How many of the business's fact lines go into one prompt.
    facts_per_prompt: ClassVar[int] = 5

    def __init__(self, business: BusinessProfile, *, history_chars: int = 2400) -> None:
        self.business = business
        # Past messages are added newest first until this many characters, so a
        # small model's context is not filled by one long conversation.
        self.history_chars = history_chars
        self._facts = FactIndex(fact_lines(text for _, text in business.notes))

    def system_prompt(self, question: str = "") -> str:
        """The system prompt: role, business, and the facts that bear on ``question``."""
        parts = [
            " ".join(self.instructions.format(business=self.business.name).split()),
            f"About {self.business.name}: {self.business.summary}",
        ]
        if self.business.contact_line:
            parts.append(f"Contact: {self.business.contact_line}")
        facts = self._facts.relevant(question, limit=self.facts_per_prompt)
        if facts:
            parts.append("Facts you may rely on:\n" + "\n".join(f"- {f}" for f in facts))
        return "\n\n".join(parts)

    def build_messages(self, request: AgentRequest) -> list[ChatMessage]:
        """System prompt, bounded history across channels, then the new message."""
        system = self.system_prompt(request.text)
        if request.contact_name:
            system += f"\n\nYou are talking with {request.contact_name}."
        if request.contact_facts:
            known = "; ".join(f"{k}: {v}" for k, v in sorted(request.contact_facts.items()))
            system += f"\nWhat we know about them: {known}"
        if request.knowledge:
            system += "\n\nRelevant notes:\n" + "\n---\n".join(request.knowledge)
        turns: list[ChatMessage] = []
        budget = self.history_chars
        for entry in reversed(request.history):
            budget -= len(entry.text)
            if budget < 0:
                break
            role = "user" if entry.direction == "in" else "assistant"
            turns.append(ChatMessage(role, entry.text))
        turns.reverse()
        return [ChatMessage("system", system), *turns, ChatMessage("user", request.text)]

    async def respond(
        self,
        request: AgentRequest,
        provider: ModelProvider,
        *,
        on_delta: DeltaCallback | None = None,
    ) -> Completion:
        """Answer ``request``; stream text to ``on_delta`` when one is given."""
        messages = self.build_messages(request)
        if on_delta is None:
            return await provider.complete(
                messages, max_tokens=self.max_tokens, temperature=self.temperature
            )
        completion: Completion | None = None
        async for event in provider.stream(
            messages, max_tokens=self.max_tokens, temperature=self.temperature
        ):
            if isinstance(event, Completion):
                completion = event
            else:
                result = on_delta(event)
                if result is not None:
                    await result
        if completion is None:
            raise RuntimeError(f"{provider.model_id} ended its stream without a completion")
        return completion
