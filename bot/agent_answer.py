"""What asking one agent gives: its answer, or the apology when no model could give one.

`Orchestrator.answer` asks through `ask_agent`, then stores and sends what it
returns as a `Reply`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from agents.base import Agent
from agents.decided import BOT_PROVIDER
from agents.errors import AllProvidersFailedError, ProviderError
from agents.providers.base import HANDOFF, CallRecord, Completion, ModelProvider
from agents.request import AgentRequest
from agents.routing.base import Route
from agents.sentences import ShownReply
from channels.base import IncomingMessage
from memory.conversations import RecordedMessage

log = logging.getLogger(__name__)

#: What the customer reads when no model could answer.
APOLOGY = "Sorry, I can't answer right now. A member of our team will get back to you soon."


@dataclass(frozen=True, slots=True)
class Reply:
    """The bot's answer to one message, as stored and sent."""

    text: str
    agent: str
    route: Route
    completion: Completion
    outcome: str
    incoming_message_id: int
    reply_message_id: int
    contact_id: int
    conversation_id: int
    sent_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentAnswer:
    """What asking the agent gave: the completion, its calls, and the text to send."""

    completion: Completion
    calls: Sequence[CallRecord]
    outcome: str
    text: str
    handoff_reason: str | None = None


#: What the agent's tools add to a stored reply's meta: the knowledge chunks cited,
#: the tool that answered, what a check replaced, the lead agent's worked-out quote.
STORED_EXTRAS = (
    "fallback",
    "hybrid",
    "skipped",
    "citations",
    "tool",
    "grounding",
    "answer",
    "rewritten",
    "quote",
)


def stored_extras(completion: Completion) -> dict[str, object]:
    """The extras of ``completion`` a stored reply keeps in its meta."""
    return {key: completion.extras[key] for key in STORED_EXTRAS if key in completion.extras}


async def ask_agent(
    agent: Agent, request: AgentRequest, provider: ModelProvider, shown: ShownReply | None
) -> AgentAnswer:
    """``agent``'s answer through ``provider``, or the apology when no model could give one."""
    started = time.perf_counter()
    try:
        completion = await agent.respond(request, provider, on_sentence=shown)
    except ProviderError as exc:
        log.error("provider %s failed for %s: %s", provider.model_id, agent.name, exc)
        failed = Completion(
            text="",
            model=provider.model,
            provider=provider.provider,
            latency_ms=(time.perf_counter() - started) * 1000,
            finish_reason="error",
            extras={"error": str(exc), **_skipped(exc)},
        )
        calls = exc.calls or (replace(failed.as_call(), error=str(exc)),)
        return AgentAnswer(replace(failed, calls=tuple(calls)), calls, "error", APOLOGY)
    # An answer the agent's code decided called no model: nothing to cost or log.
    calls = tuple(c for c in completion.call_log if c.provider != BOT_PROVIDER)
    if completion.finish_reason == HANDOFF:
        # Hybrid unsure, or an agent escalating (a refund, a complaint): a person answers.
        reason = str(completion.extras.get("handoff_reason", "handoff"))
        return AgentAnswer(completion, calls, completion.outcome, "", reason)
    text = completion.text.strip() or APOLOGY
    return AgentAnswer(completion, calls, completion.outcome, text)


def _skipped(exc: ProviderError) -> dict[str, object]:
    """Why each member of a fallback chain did not answer, when a whole chain failed."""
    if isinstance(exc, AllProvidersFailedError) and exc.skipped:
        return {"skipped": exc.skipped}
    return {}


def agent_span(agent: str) -> dict[str, Any]:
    """The GenAI conventions' attributes of an agent's span."""
    return {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agent}


def agent_request(
    incoming: IncomingMessage, recorded: RecordedMessage, route: Route, *, is_team: bool
) -> AgentRequest:
    """What the routed agent is asked: the message, with its stored history and contact."""
    return AgentRequest(
        text=incoming.text,
        channel=incoming.channel,
        history=recorded.history,
        contact_name=recorded.contact_name,
        contact_facts=recorded.contact_facts,
        contact_id=recorded.contact_id,
        conversation_id=recorded.conversation_id,
        message_id=recorded.message_id,
        is_team=is_team,
        route_confidence=route.confidence,
    )
