"""`Orchestrator`: the path of one message, from any channel to its reply.

record (dedup) → contact → history → route → agent → provider → store the
reply with agent, model, tokens, cost and latency → send.

`record` and `answer` are separate so a webhook can store a message, answer
the channel at once, and do the slow part in the background; `handle` does
both for callers that wait for the reply (the console, the HTTP API).

The routing step may not reach an agent: a conversation a person has is not
answered (the message is forwarded to the team's thread), the ``human``
route and a second unclear message hand off, and a first unclear message
on a customer channel gets one clarifying question (`bot.handoff.clarify`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from agents.base import Agent
from agents.providers.base import ModelProvider
from agents.routing.base import HUMAN_ROUTE, Route, Router
from agents.sentences import SentenceCallback, ShownReply
from bot.agent_answer import (
    APOLOGY,
    AgentAnswer,
    Reply,
    agent_request,
    agent_span,
    ask_agent,
    stored_extras,
)
from bot.costs.budget import BudgetMonitor
from bot.errors import InvalidMessageError
from bot.handoff.clarify import Clarifier
from bot.handoff.desk import HANDOFF_MESSAGE, HandoffDesk
from bot.handoff.ops_channel import OpsChannel
from bot.observability import metrics, tracing
from bot.pipeline.codec import incoming_to_json
from bot.pipeline.outbox import Outbox
from bot.team import TeamPolicy

__all__ = ["APOLOGY", "Orchestrator", "Reply"]
from channels.base import Channel, IncomingMessage, OutgoingMessage
from memory.conversations import ConversationStore, RecordedMessage, StoredHook
from memory.errors import InvalidAddressError

log = logging.getLogger(__name__)


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
        team: TeamPolicy | None = None,
        clarifier: Clarifier | None = None,
        handoffs: HandoffDesk | None = None,
    ) -> None:
        # The human route is no agent: it hands the conversation to a person.
        routes = [name for name in getattr(router, "agents", []) if name != HUMAN_ROUTE]
        missing = {name for name in routes if name not in agents}
        if missing:
            raise ValueError(f"router names agents that do not exist: {sorted(missing)}")
        self.conversations = conversations
        self.router = router
        self.agents = dict(agents)
        self.provider = provider
        # Agents whose AGENT_MODEL_<NAME> is set answer through their own model.
        self.agent_providers = dict(agent_providers or {})
        # The one way replies leave: fit, split, consent, send, record the send's state.
        self.outbox = Outbox(channels=channels or {}, conversations=conversations)
        self.history_limit = history_limit
        self.max_message_chars = max_message_chars
        # Counts what each reply cost against the month's budget (and new contacts).
        self.budget = budget
        # Team members may see internal data (the operations agent's bookings, costs).
        self.team = team or TeamPolicy()
        # Low router confidence on a customer channel: ask once, then hand off.
        self.clarifier = clarifier or Clarifier()
        # Handoffs: the team's alert, silence while a person has the conversation, relays.
        self.handoffs = handoffs or HandoffDesk(conversations)
        self.handoffs.outbox = self.outbox
        if ops is not None:
            self.ops = ops

    @property
    def ops(self) -> OpsChannel | None:
        """The team's channel, told of every handoff (SLACK_OPS_CHANNEL)."""
        return self.handoffs.ops

    @ops.setter
    def ops(self, ops: OpsChannel | None) -> None:
        self.handoffs.ops = ops

    def validate(self, incoming: IncomingMessage) -> None:
        """Refuse a message that must not be stored; raise `InvalidMessageError`."""
        if not incoming.text.strip():
            raise InvalidMessageError("the message text is empty")
        if len(incoming.text) > self.max_message_chars:
            raise InvalidMessageError(
                f"the message is {len(incoming.text)} characters; "
                f"at most {self.max_message_chars} are accepted"
            )

    async def record(
        self,
        incoming: IncomingMessage,
        *,
        on_stored: StoredHook | None = None,
        history: bool = True,
    ) -> RecordedMessage | None:
        """Validate and store ``incoming``; None when this delivery was seen before.

        The message is stored whole (``meta["incoming"]``), so a worker anywhere can
        answer it from its id; ``on_stored`` runs in the storing transaction.
        ``history=False`` skips reading the history (a worker reads it when it answers).
        """
        self.validate(incoming)
        addresses = [incoming.sender, *incoming.aliases]
        try:
            recorded = await self.conversations.record_incoming(
                channel=incoming.channel,
                conversation_key=incoming.conversation_key,
                addresses=addresses,
                text=incoming.text,
                external_id=incoming.external_id,
                display_name=incoming.sender_name,
                history_limit=self.history_limit if history else 0,
                meta=self.stored_meta(incoming),
                on_stored=on_stored,
            )
        except InvalidAddressError as exc:
            raise InvalidMessageError(f"bad sender: {exc}") from exc
        if recorded is None:
            log.info("duplicate delivery %s/%s ignored", incoming.channel, incoming.external_id)
        return recorded

    @staticmethod
    def stored_meta(incoming: IncomingMessage) -> dict[str, object]:
        """What is stored with a message: all of it, so a worker anywhere can answer it,
        and the trace's context, so the job that answers it continues this trace."""
        return {"incoming": incoming_to_json(incoming), **tracing.carrier()}

    async def answer(
        self,
        incoming: IncomingMessage,
        recorded: RecordedMessage,
        *,
        on_sentence: SentenceCallback | None = None,
    ) -> Reply | None:
        """Route, ask the agent, store the reply and send it on the message's channel.

        None when a person has the conversation: the message goes to the
        team's thread and the bot says nothing. ``on_sentence`` gets the reply
        sentence by sentence, each once checked (`agents.sentences`).
        """
        shown = ShownReply(on_sentence) if on_sentence is not None else None
        # The one read a handoff costs is for conversations recorded as handed off.
        held = (
            await self.handoffs.holding(recorded.conversation_id) if recorded.handed_off else None
        )
        if held is not None:
            log.info("message %s: a person has the conversation", recorded.message_id)
            await self.handoffs.forward(incoming, held)
            return None
        is_team = self.team.is_team(incoming)
        with tracing.span("route", channel=incoming.channel):
            route = await self.router.route(
                incoming.text,
                channel=incoming.channel,
                current_agent=recorded.conversation_agent,
                is_team=is_team,
            )
            tracing.annotate(agent=route.agent, route_confidence=route.confidence)
        metrics.routed(route.agent)
        step = self.clarifier.next_step(
            route, is_team=is_team, channel=incoming.channel, history=recorded.history
        )
        if step.action != "answer":  # a clarifying question or a handoff, decided in code
            decided_by, answered = step.decided()
            return await self._finish(
                incoming, recorded, route, decided_by, answered, step.reason, shown
            )
        agent = self.agents[route.agent]
        request = agent_request(incoming, recorded, route, is_team=is_team)
        with tracing.span(f"invoke_agent {agent.name}", **agent_span(agent.name)):
            answered = await ask_agent(agent, request, self.provider_for(agent.name), shown)
            tracing.model_calls(answered.calls, agent=agent.name)
        return await self._finish(incoming, recorded, route, agent.name, answered, shown=shown)

    async def _finish(
        self,
        incoming: IncomingMessage,
        recorded: RecordedMessage,
        route: Route,
        agent_name: str,
        answered: AgentAnswer,
        decided_by: str | None = None,
        shown: ShownReply | None = None,
    ) -> Reply:
        """Hand off if asked to, then store, count and send the reply.

        ``decided_by`` names the routing rule that answered instead of an agent
        (a clarifying question, a handoff); such a reply does not change the
        agent serving the conversation. With ``shown``, what the agent has not
        shown of the reply (all of an answer decided in code) is shown once
        stored, and what is stored is what was shown.
        """
        completion, calls = answered.completion, answered.calls
        text = answered.text
        meta: dict[str, object] = {
            "route_confidence": route.confidence,
            "outcome": answered.outcome,
        }
        if answered.handoff_reason is not None:
            alerted = await self.handoffs.start(incoming, recorded, answered.handoff_reason)
            text = HANDOFF_MESSAGE if alerted else self.handoffs.unavailable_text
            meta["handoff"] = {"reason": answered.handoff_reason, "team_alerted": alerted}
        elif decided_by is not None:
            meta["clarify"] = decided_by
        text = self.outbox.fit(incoming, text)  # stored as sent (SMS: at most 1,600)
        if shown is not None:
            text = shown.settle(text)
        meta.update(stored_extras(completion))
        reply_id = await self.conversations.record_reply(
            recorded,
            text=text,
            agent=agent_name,
            calls=calls,
            routing_reason=f"{route.reason} (confidence {route.confidence:.2f})",
            meta=meta,
            model_id=completion.model_id,
            serves_conversation=decided_by is None,
        )
        metrics.model_calls(calls)
        if self.budget is not None:
            await self.budget.after_calls(calls, contact_id=recorded.contact_id)
        log.info(
            "message %s → %s (%s) via %s in %.0f ms",
            recorded.message_id,
            agent_name,
            decided_by or route.reason,
            completion.model_id,
            completion.latency_ms,
        )
        if shown is not None:
            await shown.show_rest()
        with tracing.span("send", channel=incoming.channel, reply_id=reply_id, text=text):
            sent_ids = await self.outbox.send_reply(
                incoming, OutgoingMessage(text), reply_id=reply_id
            )
        metrics.answered(incoming, agent=agent_name)
        return Reply(
            text=text,
            agent=agent_name,
            route=route,
            completion=completion,
            outcome=answered.outcome,
            incoming_message_id=recorded.message_id,
            reply_message_id=reply_id,
            contact_id=recorded.contact_id,
            conversation_id=recorded.conversation_id,
            sent_ids=sent_ids,
        )

    def provider_for(self, agent_name: str) -> ModelProvider:
        """The model ``agent_name`` answers with: its own if configured, else the default."""
        return self.agent_providers.get(agent_name, self.provider)

    async def handle(
        self, incoming: IncomingMessage, *, on_sentence: SentenceCallback | None = None
    ) -> Reply | None:
        """Record and answer ``incoming``; None for a duplicate delivery or while a person
        has the conversation.

        ``on_sentence`` (the console, the web chat) is awaited with each sentence
        of the reply once it has passed the grounding check; what it was given is
        exactly what is stored and sent (see `agents.sentences`).
        """
        with tracing.span("handle", channel=incoming.channel, text=incoming.text):
            recorded = await self.record(incoming)
            if recorded is None:
                return None
            return await self.answer(incoming, recorded, on_sentence=on_sentence)
