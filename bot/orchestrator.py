"""`Orchestrator`: the path of one message, from any channel to its reply.

record (dedup) → contact → history → route → agent → provider → store the
reply with agent, model, tokens, cost and latency → send.

`record` and `answer` are separate so a webhook can store a message, answer
the channel at once, and do the slow part in the background; `handle` does
both for callers that wait for the reply (the console, the HTTP API).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from agents.base import Agent, AgentRequest, DeltaCallback
from agents.errors import AllProvidersFailedError, ProviderError
from agents.providers.base import HANDOFF, CallRecord, Completion, ModelProvider
from agents.router import Route, Router
from bot.budget import BudgetMonitor
from bot.errors import InvalidMessageError
from bot.ops import Handoff, OpsChannel
from channels.base import Channel, IncomingMessage, OutgoingMessage
from channels.errors import RecipientOptedOutError
from channels.text import shorten, split_text
from memory.conversations import ConversationStore, RecordedMessage
from memory.errors import InvalidAddressError

log = logging.getLogger(__name__)

#: What the customer reads when no model could answer.
APOLOGY = "Sorry, I can't answer right now. A member of our team will get back to you soon."
#: What the customer reads when the conversation is handed to a person.
HANDOFF_MESSAGE = "Let me get a member of our team to help with this. They'll reply here soon."


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
class _Answered:
    """What asking the agent gave: the completion, its calls, and the text to send."""

    completion: Completion
    calls: Sequence[CallRecord]
    outcome: str
    text: str
    handoff_reason: str | None = None


class Orchestrator:
    """Routes every message to an agent and records everything on the way."""

    def __init__(
        self,
        *,
        conversations: ConversationStore,
        router: Router,
        agents: Mapping[str, Agent],
        provider: ModelProvider,
        agent_providers: Mapping[str, ModelProvider] | None = None,
        channels: Mapping[str, Channel] | None = None,
        history_limit: int = 20,
        max_message_chars: int = 4000,
        budget: BudgetMonitor | None = None,
        ops: OpsChannel | None = None,
    ) -> None:
        missing = {name for name in getattr(router, "agents", []) if name not in agents}
        if missing:
            raise ValueError(f"router names agents that do not exist: {sorted(missing)}")
        self.conversations = conversations
        self.router = router
        self.agents = dict(agents)
        self.provider = provider
        # Agents whose AGENT_MODEL_<NAME> is set answer through their own model.
        self.agent_providers = dict(agent_providers or {})
        self.channels = dict(channels or {})
        self.history_limit = history_limit
        self.max_message_chars = max_message_chars
        # Counts what each reply cost against the month's budget (and new contacts).
        self.budget = budget
        # The team's channel, told of every handoff (SLACK_OPS_CHANNEL).
        self.ops = ops

    def validate(self, incoming: IncomingMessage) -> None:
        """Refuse a message that must not be stored; raise `InvalidMessageError`."""
        if not incoming.text.strip():
            raise InvalidMessageError("the message text is empty")
        if len(incoming.text) > self.max_message_chars:
            raise InvalidMessageError(
                f"the message is {len(incoming.text)} characters; "
                f"at most {self.max_message_chars} are accepted"
            )

    async def record(self, incoming: IncomingMessage) -> RecordedMessage | None:
        """Validate and store ``incoming``; None when this delivery was seen before."""
        self.validate(incoming)
        addresses = [(a.kind, a.value) for a in (incoming.sender, *incoming.aliases)]
        try:
            recorded = await self.conversations.record_incoming(
                channel=incoming.channel,
                conversation_key=incoming.conversation_key,
                addresses=addresses,
                text=incoming.text,
                external_id=incoming.external_id,
                display_name=incoming.sender_name,
                history_limit=self.history_limit,
            )
        except InvalidAddressError as exc:
            raise InvalidMessageError(f"bad sender: {exc}") from exc
        if recorded is None:
            log.info("duplicate delivery %s/%s ignored", incoming.channel, incoming.external_id)
        return recorded

    async def answer(
        self,
        incoming: IncomingMessage,
        recorded: RecordedMessage,
        *,
        on_delta: DeltaCallback | None = None,
    ) -> Reply:
        """Route, ask the agent, store the reply and send it on the message's channel."""
        route = await self.router.route(
            incoming.text, channel=incoming.channel, current_agent=recorded.conversation_agent
        )
        agent = self.agents[route.agent]
        request = AgentRequest(
            text=incoming.text,
            channel=incoming.channel,
            history=recorded.history,
            contact_name=recorded.contact_name,
            contact_facts=recorded.contact_facts,
        )
        answered = await self._ask(agent, request, recorded, on_delta)
        completion, calls = answered.completion, answered.calls
        text = self.fit(incoming, answered.text)
        meta: dict[str, object] = {
            "route_confidence": route.confidence,
            "outcome": answered.outcome,
        }
        for key in ("fallback", "hybrid", "skipped"):
            if key in completion.extras:
                meta[key] = completion.extras[key]
        reply_id = await self.conversations.record_reply(
            recorded,
            text=text,
            agent=agent.name,
            calls=calls,
            routing_reason=f"{route.reason} (confidence {route.confidence:.2f})",
            meta=meta,
            model_id=completion.model_id,
            handoff_reason=answered.handoff_reason,
        )
        if self.budget is not None:
            await self.budget.after_calls(calls, contact_id=recorded.contact_id)
        log.info(
            "message %s → %s (%s) via %s in %.0f ms",
            recorded.message_id,
            agent.name,
            route.reason,
            completion.model_id,
            completion.latency_ms,
        )
        if answered.handoff_reason is not None:
            await self._announce_handoff(incoming, recorded, answered.handoff_reason)
        sent_ids = await self.send_reply(incoming, OutgoingMessage(text))
        await self.conversations.mark_sent(reply_id, sent_ids)
        return Reply(
            text=text,
            agent=agent.name,
            route=route,
            completion=completion,
            outcome=answered.outcome,
            incoming_message_id=recorded.message_id,
            reply_message_id=reply_id,
            contact_id=recorded.contact_id,
            conversation_id=recorded.conversation_id,
            sent_ids=sent_ids,
        )

    async def _ask(
        self,
        agent: Agent,
        request: AgentRequest,
        recorded: RecordedMessage,
        on_delta: DeltaCallback | None,
    ) -> _Answered:
        """The agent's answer, or the apology when no model could give one."""
        provider = self.provider_for(agent.name)
        started = time.perf_counter()
        try:
            completion = await agent.respond(request, provider, on_delta=on_delta)
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
            return _Answered(replace(failed, calls=tuple(calls)), calls, "error", APOLOGY)
        if completion.finish_reason == HANDOFF:
            reason = str(completion.extras.get("handoff_reason", "handoff"))
            log.warning("conversation %s handed to a person: %s", recorded.conversation_id, reason)
            return _Answered(
                completion, completion.call_log, completion.outcome, HANDOFF_MESSAGE, reason
            )
        text = completion.text.strip() or APOLOGY
        return _Answered(completion, completion.call_log, completion.outcome, text)

    def provider_for(self, agent_name: str) -> ModelProvider:
        """The model ``agent_name`` answers with: its own if configured, else the default."""
        return self.agent_providers.get(agent_name, self.provider)

    async def handle(
        self, incoming: IncomingMessage, *, on_delta: DeltaCallback | None = None
    ) -> Reply | None:
        """Record and answer ``incoming``; None for a duplicate delivery."""
        recorded = await self.record(incoming)
        if recorded is None:
            return None
        return await self.answer(incoming, recorded, on_delta=on_delta)

    def fit(self, incoming: IncomingMessage, text: str) -> str:
        """``text`` shortened to what the message's channel sends in all (SMS: 1,600).

        Applied before a reply is stored, so the stored reply is what was sent.
        """
        channel = self.channels.get(incoming.channel)
        if channel is None or channel.max_reply_length is None:
            return text
        return shorten(text, channel.max_reply_length)

    async def send_reply(
        self, incoming: IncomingMessage, message: OutgoingMessage
    ) -> tuple[str, ...]:
        """Send ``message`` in answer to ``incoming``, split to the channel's limit.

        Returns the channel's ids of the parts; none when the channel is not
        here (the HTTP API delivers its own replies) or the recipient opted out.
        """
        channel = self.channels.get(incoming.channel)
        if channel is None:
            return ()
        parts = split_text(message.text, channel.max_text_length) or [""]
        sent = []
        try:
            for number, part in enumerate(parts, start=1):
                last = number == len(parts)
                piece = replace(message, text=part, card=message.card if last else None)
                sent.append(await channel.reply(incoming, piece))
        except RecipientOptedOutError:
            # The channel refused and logged it; the reply stays stored, unsent.
            pass
        return tuple(sent)

    async def _announce_handoff(
        self, incoming: IncomingMessage, recorded: RecordedMessage, reason: str
    ) -> None:
        if self.ops is None:
            return
        handoff = Handoff(
            conversation_id=recorded.conversation_id,
            contact_id=recorded.contact_id,
            channel=incoming.channel,
            conversation_key=incoming.conversation_key,
            reason=reason,
            text=incoming.text,
            contact_name=recorded.contact_name or incoming.sender_name,
        )
        try:
            await self.ops.handoff(handoff)
        except Exception:  # the customer's reply matters more than the team's notice
            log.exception(
                "could not announce the handoff of conversation %s", handoff.conversation_id
            )


def _skipped(exc: ProviderError) -> dict[str, object]:
    """Why each member of a fallback chain did not answer, when a whole chain failed."""
    if isinstance(exc, AllProvidersFailedError) and exc.skipped:
        return {"skipped": exc.skipped}
    return {}
