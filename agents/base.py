"""`Agent`: a role with a system prompt and tools, that answers through a `ModelProvider`.

What it is given is an `agents.request.AgentRequest`; what its code decides
without a model is an `agents.decided.decided` answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatch
from typing import ClassVar

from agents.business import BusinessProfile
from agents.decided import decided
from agents.facts import FactIndex, fact_lines
from agents.knowledge.claims import unsupported
from agents.knowledge.extractive import extractive_answer, introduction, narrowed
from agents.knowledge.questions import asks_about_us, asks_for_fact
from agents.knowledge.terms import terms
from agents.knowledge.unknown import NOT_IN_DOCUMENTS
from agents.providers.base import CallOptions, ChatMessage, Completion, ModelProvider, Role
from agents.replies import near_repeat
from agents.request import AgentRequest, Tool
from agents.sentences import SentenceCallback, stream_checked
from agents.tools import AgentTools

log = logging.getLogger(__name__)

_APOLOGY = re.compile(r"^\W*(?:i'?m |i am |we'?re )?(?:so |very )?(?:sorry|apolog)", re.IGNORECASE)
_COMPLAINT = re.compile(
    r"\b(?:wrong|late|bad|problem|issue|complain\w*|disappoint\w*|sorry)\b", re.I
)


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
    #: The reply's claims (money, quantities, yes/no, policies) must come from the
    #: documents (see `grounded`).
    checks_amounts: ClassVar[bool] = True
    #: Models that cannot paraphrase facts reliably (``fnmatch`` patterns on
    #: ``provider:model``): their fact answers are the documents' own sentences.
    DEFAULT_EXTRACTIVE: ClassVar[tuple[str, ...]] = ("local:*",)

    def __init__(
        self,
        business: BusinessProfile,
        *,
        history_chars: int = 2400,
        tools: AgentTools | None = None,
        extractive_models: Sequence[str] | None = None,
    ) -> None:
        self.business = business
        self.extractive_models = tuple(
            self.DEFAULT_EXTRACTIVE if extractive_models is None else extractive_models
        )
        self.agent_tools = tools or AgentTools()
        # Past messages are added newest first until this many characters, so a
        # small model's context is not filled by one long conversation.
        self.history_chars = history_chars
        self._facts = FactIndex(fact_lines(text for _, text in business.notes))

    @property
    def about(self) -> str:
        """The business's name and description, as every prompt gives them."""
        return f"{self.business.name}. {self.business.summary}"

    def system_prompt(self, question: str = "") -> str:
        """The system prompt: role, business, and the facts that bear on ``question``."""
        parts = [
            " ".join(self.instructions.format(business=self.business.name).split()),
            f"About {self.business.name}: {self.business.summary}",
        ]
        if self.business.contact_line:
            parts.append(f"Contact: {self.business.contact_line}")
        # With a knowledge base the documents' chunks come through `prepare`;
        # the notes' bare lines are the fallback of an agent built without one.
        facts = (
            self._facts.relevant(question, limit=self.facts_per_prompt)
            if self.agent_tools.knowledge is None
            else []
        )
        if facts:
            parts.append("Facts you may rely on:\n" + "\n".join(f"- {f}" for f in facts))
        return "\n\n".join(parts)

    async def decide(self, request: AgentRequest) -> Completion | None:
        """An answer the code gives without a model (see `decided`), or None."""
        return None

    async def prepare(self, request: AgentRequest) -> AgentRequest:
        """``request`` with what the agent's tools found (knowledge, a booking).

        Here: the business's document chunks that answer the message, when it
        asks for facts. Subclasses that add their own tools call
        ``await super().prepare(request)`` first.
        """
        knowledge = self.agent_tools.knowledge
        if knowledge is None or not self.needs_knowledge(request):
            return request
        hits = await knowledge.relevant(request.text, also=terms(self.about))
        if not hits:
            return request
        return replace(
            request,
            hits=(*request.hits, *hits),
            knowledge=(*request.knowledge, *(hit.text for hit in hits)),
            citations=(*request.citations, *(hit.citation() for hit in hits)),
        )

    def needs_knowledge(self, request: AgentRequest) -> bool:
        """Whether the message asks for facts the business's documents hold."""
        return asks_for_fact(request.text)

    def build_messages(self, request: AgentRequest) -> list[ChatMessage]:
        """System prompt, bounded history across channels, then the new message."""
        system = self.system_prompt(request.text)
        if request.contact_name:
            system += f"\n\nYou are talking with {request.contact_name}."
        if request.contact_facts:
            known = "; ".join(f"{k}: {v}" for k, v in sorted(request.contact_facts.items()))
            system += f"\nWhat we know about them: {known}"
        if request.knowledge:
            system += "\n\nFrom the business's documents:\n" + "\n".join(
                f"- {passage}" for passage in request.knowledge
            )
        turns: list[ChatMessage] = []
        budget = self.history_chars
        for entry in reversed(request.history):
            budget -= len(entry.text)
            if budget < 0:
                break
            role: Role = "user" if entry.direction == "in" else "assistant"
            turns.append(ChatMessage(role, entry.text))
        turns.reverse()
        return [ChatMessage("system", system), *turns, ChatMessage("user", request.text)]

    async def respond(
        self,
        request: AgentRequest,
        provider: ModelProvider,
        *,
        on_sentence: SentenceCallback | None = None,
    ) -> Completion:
        """Answer ``request``; with ``on_sentence``, the model's sentences as each passes
        the checks (`agents.sentences`; answers decided in code are shown by the caller).

        `decide` may answer in code first (no model call); otherwise `prepare`
        adds what the tools found to the request and the model answers.
        """
        answer = await self.decide(request)
        if answer is not None:
            return answer
        return await self.answer_prepared(
            await self.prepare(request), provider, on_sentence=on_sentence
        )

    async def answer_prepared(
        self,
        request: AgentRequest,
        provider: ModelProvider,
        *,
        on_sentence: SentenceCallback | None = None,
    ) -> Completion:
        """The answer to a request `prepare` has filled: extractive or the model's, checked."""
        text = self.facts_answer(request) if self.extractive_for(provider) else None
        small = self.extractive_for(provider)
        if text is not None:
            # Code decided the facts: the documents' sentences, no model call.
            completion = decided(text, "extractive", answer="extractive")
        elif on_sentence is None:
            completion = self.checked(request, await self._complete(request, provider), small=small)
        else:
            completion = await stream_checked(
                provider.stream(
                    self.build_messages(request),
                    CallOptions(max_tokens=self.max_tokens, temperature=self.temperature),
                ),
                # The reply so far, checked as a whole reply is: the model's words only.
                check=lambda so_far: self.checked(
                    request, Completion(so_far, provider.model, provider.provider), small=small
                ),
                on_sentence=on_sentence,
            )
        if request.citations:
            completion = replace(
                completion, extras={**completion.extras, "citations": list(request.citations)}
            )
        return completion

    def checked(
        self, request: AgentRequest, completion: Completion, *, small: bool = False
    ) -> Completion:
        """``completion`` as it may be sent: `grounded`, then `unrepeated`."""
        return self.unrepeated(request, self.grounded(request, completion), small=small)

    def unrepeated(
        self, request: AgentRequest, completion: Completion, *, small: bool = False
    ) -> Completion:
        """``completion``, or the plain next question when it repeats an earlier reply of
        the conversation; on a ``small`` model also when it echoes the customer or
        apologises for nothing (a small model copies what it sees)."""
        earlier = [entry.text for entry in request.history if entry.direction == "out"]
        why = None
        if near_repeat(completion.text, earlier):
            why = "repeats an earlier reply"
        elif request.next_question is None or not small:
            pass  # only an agent that knows what to ask next replaces the rest
        elif near_repeat(completion.text, [request.text], threshold=0.6):
            why = "repeats the customer"
        elif _APOLOGY.match(completion.text) and not _COMPLAINT.search(request.text):
            why = "apologises for nothing"
        if why is None:
            return completion
        text = request.next_question or "Is there anything else I can help you with?"
        if near_repeat(text, earlier):
            text = "Anything else I can help you with for your event?"
        extras = {**completion.extras, "rewritten": {"replaced": completion.text, "reason": why}}
        return replace(completion, text=text, extras=extras)

    def extractive_for(self, provider: ModelProvider) -> bool:
        """Whether ``provider``'s fact answers are built from the documents' sentences."""
        return any(fnmatch(provider.model_id, pattern) for pattern in self.extractive_models)

    def facts_answer(self, request: AgentRequest) -> str | None:
        """The answer built in code from the retrieved sentences, for a fact question;
        None lets the model answer (no chunk, or not a fact question)."""
        if asks_about_us(request.text) and self.business.summary:
            return introduction(self.business.name, self.business.summary)
        if not request.hits or not asks_for_fact(request.text):
            return None
        text = extractive_answer(request.text, request.hits)
        earlier = [entry.text for entry in request.history if entry.direction == "out"]
        if text is not None and near_repeat(text, earlier):
            # The same line again: only the part this question asks about.
            text = narrowed(request.text, request.hits) or text
        return text

    def grounded(self, request: AgentRequest, completion: Completion) -> Completion:
        """``completion``, or the documents' own words (else "not sure") when it claims
        what they do not support: an amount in any currency, a number with a unit,
        a yes or no to "do you / can you", a policy. The model's text and the
        reasons are kept in the extras (the stored reply's meta)."""
        if not self.checks_amounts or self.agent_tools.knowledge is None:
            return completion
        earlier = [entry.text for entry in request.history if entry.direction == "in"]
        reasons = unsupported(
            completion.text, request.knowledge, request.text, customer_said=earlier
        )
        if not reasons:
            return completion
        text = extractive_answer(request.text, request.hits) if request.hits else None
        log.warning(
            "%s claimed what its documents do not (%s): replaced by %s",
            completion.model_id,
            "; ".join(reasons),
            "the documents' words" if text else "not sure",
        )
        grounding = {
            "replaced": completion.text,
            "reasons": reasons,
            "amounts": [r.split()[1] for r in reasons if r.startswith("amount ")],
        }
        extras = {**completion.extras, "grounding": grounding}
        extras["answer"] = "extractive" if text else "not-sure"
        return replace(completion, text=text or NOT_IN_DOCUMENTS, extras=extras)

    async def _complete(self, request: AgentRequest, provider: ModelProvider) -> Completion:
        return await provider.complete(
            self.build_messages(request),
            CallOptions(max_tokens=self.max_tokens, temperature=self.temperature),
        )
