"""The lead nurturing agent: turns enquiries into bookings."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agents.base import Agent
from agents.business import BusinessProfile
from agents.decided import decided
from agents.knowledge.questions import asks_for_fact
from agents.knowledge.unknown import accepted_offer, answer_unknown
from agents.lead_nurturing.asking import (
    QUESTIONS,
    date_question,
    field_asked,
    next_field,
    opening,
    weekday_check,
)
from agents.lead_nurturing.business_terms import BusinessTerms
from agents.lead_nurturing.dates import partial_date
from agents.lead_nurturing.extraction import extract_lead
from agents.lead_nurturing.quote import Estimate, asks_price, estimate
from agents.lead_nurturing.scoring import score_lead
from agents.providers.base import Completion, ModelProvider
from agents.replies import near_repeat
from agents.request import AgentRequest, Tool
from agents.sentences import SentenceCallback
from agents.tools import AgentTools

log = logging.getLogger(__name__)

#: A route at least this sure found an enquiry's words in the message (the
#: router's own threshold of doubt, ROUTER_MIN_CONFIDENCE's default).
ENQUIRY_CONFIDENCE = 0.45

_YES_NO = re.compile(
    r"^\W*(?:do|does|can|could|is|are|will|would)\s+(?:you|the|your|there|it|they|we|i)\b",
    re.IGNORECASE,
)

#: How the missing lead fields are asked for, in the prompt.
_ASK = {
    "name": "their name",
    "event_date": "the event date",
    "guests": "the number of guests",
    "location": "the city",
}


class LeadNurturingAgent(Agent):
    """Answers prospective customers: prices, availability, quotes, booking."""

    name = "lead_nurturing"
    description = "New enquiries: prices, quotes, availability, packages, booking a date."
    instructions = """
You are the friendly sales assistant of {business}. People asking about prices,
dates or packages are potential customers. Answer with the real prices from the
facts below, give a rough total when they tell you a guest count, and ask for
what is still missing to book: the date, the number of guests, and the city.
Never invent a price or a discount that is not in the facts. Keep answers short:
two to four sentences, plain text, no Markdown.
"""
    tools = (
        Tool("capture_lead", "Save the name, event date, guest count, budget and location."),
        Tool("schedule_follow_up", "Plan a follow-up message to this lead."),
    )

    def __init__(
        self,
        business: BusinessProfile,
        *,
        history_chars: int = 2400,
        tools: AgentTools | None = None,
        extractive_models: Sequence[str] | None = None,
    ) -> None:
        super().__init__(
            business, history_chars=history_chars, tools=tools, extractive_models=extractive_models
        )
        self.terms = BusinessTerms.from_notes(text for _, text in business.notes)

    def today(self, now: datetime | None = None) -> date:
        """Today in the business's time zone: what "tomorrow" and "June 14" are read against."""
        try:
            zone = ZoneInfo(self.business.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return (now or datetime.now(zone)).astimezone(zone).date()

    async def decide(self, request: AgentRequest) -> Completion | None:
        """ "Not sure" to a fact question the documents do not answer, when the message
        only reached this agent as a follow-up with no word of an enquiry in it
        ("do you have a helicopter pad?" after a quote). An enquiry the router
        recognised ("do you cater weddings?") or one that tells about the event
        ("are you free June 14 for 30?") goes to the model."""
        if accepted_offer(request) is None:  # "yes" to asking the team always hands off
            today = self.today()
            if extract_lead(request.text, today=today, service_area=self.terms.names()).known():
                return None
            confidence = request.route_confidence
            # A recognised enquiry goes to the model, unless it is a yes/no question
            # about something no document mentions ("can the chef do a teppanyaki
            # breakfast?"): a small model says yes to those.
            if (confidence is None or confidence >= ENQUIRY_CONFIDENCE) and not _YES_NO.search(
                request.text
            ):
                return None
        return await answer_unknown(request, self.agent_tools.knowledge, about=self.about)

    async def prepare(self, request: AgentRequest) -> AgentRequest:
        """Capture the lead fields the message reveals, rescore, plan a follow-up.

        Customers only: a team member asking a price on Slack is not a lead.
        The model is told what is known and what to ask for next.
        """
        request = await super().prepare(request)
        leads = self.agent_tools.leads
        if leads is None or request.contact_id is None or request.is_team:
            return request
        today = self.today()
        found = extract_lead(request.text, today=today, service_area=self.terms.names())
        fields = found.known()
        if "location" in fields:  # "SF" is stored as San Francisco
            fields["location"] = self.terms.place(fields["location"]) or fields["location"]
        messages = 1 + sum(1 for entry in request.history if entry.direction == "in")
        try:
            record = await leads.capture(
                request.contact_id,
                fields,
                scorer=lambda merged: _score(merged, self.terms, today, messages),
                time_zone=found.time_zone,
                # The lead just wrote: the next follow-up is planned from now.
                followup_for=request.conversation_id,
            )
        except Exception:  # a lead not saved must not cost the customer their answer
            log.exception("capturing the lead of contact %s failed", request.contact_id)
            return request
        known = {k: v for k, v in record.fields.items() if k != "budget"}
        missing = [_ASK[name] for name in record.missing if name in _ASK]
        notes = list(request.knowledge)
        if missing:
            notes.append("To book, still ask for: " + ", ".join(missing) + ".")
        # The next question comes from code, in the order that matters to book:
        # the date (is the chef free?), the guest count (the price), the place.
        field = next_field(record.missing)
        ask = QUESTIONS[field] if field else None
        if field == "event_date":  # "a Saturday in May": which one, not what date
            said = [
                request.text,
                *(e.text for e in reversed(request.history) if e.direction == "in"),
            ]
            ask = date_question(next(filter(None, map(partial_date, said)), None))
        if ask:
            notes.append(f"End your reply with this question: {ask}")
        return replace(
            request,
            contact_facts={**request.contact_facts, **known},
            knowledge=tuple(notes),
            next_question=ask,
        )

    async def respond(
        self,
        request: AgentRequest,
        provider: ModelProvider,
        *,
        on_sentence: SentenceCallback | None = None,
    ) -> Completion:
        """As `Agent.respond`, but a price question with a guest count known (now or
        earlier) gets a quote worked out in code from the price list."""
        answer = await self.decide(request)
        if answer is not None:
            return answer  # the caller shows what code decided
        request = await self.prepare(request)
        quote = self.quote(request)
        if quote is None:
            return await self.moved_forward(request, provider, on_sentence=on_sentence)
        # The enquiry moves on: the date decides the discount and the chef, the
        # city the travel fee, a name the booking.
        ask = f" {request.next_question}" if request.next_question else ""
        text = quote.text + ask
        if near_repeat(text, [e.text for e in request.history if e.direction == "out"]):
            text = quote.brief() + ask
        return decided(text, "quote", answer="quote", quote=quote.as_dict())

    async def moved_forward(
        self,
        request: AgentRequest,
        provider: ModelProvider,
        *,
        on_sentence: SentenceCallback | None = None,
    ) -> Completion:
        """The answer, asking the next lead field code chose.

        A small model's (``ANSWER_EXTRACTIVE_MODELS``) reply to a message that asks
        no fact is built in code (thanks, what the message told, the question):
        shown the conversation, it copies the customer, apologises or talks about
        cake (`agents.lead_nurturing.asking.fault` names those faults; bench/answers.py
        --openings counts them). Another model is told the question to end with.
        """
        field = field_asked(request.next_question)
        small = self.extractive_for(provider)
        if small and field and not request.hits and asks_for_fact(request.text):
            # A question the documents do not answer ("do you do events in
            # Sacramento?", "can we pay in Bitcoin?"): not sure, as alone.
            unknown = await answer_unknown(request, self.agent_tools.knowledge, about=self.about)
            if unknown is not None:
                return unknown  # the caller shows what code decided
        if small and field and not (request.hits and asks_for_fact(request.text)):
            told = self._read_back(request.text)
            first = not any(entry.direction == "out" for entry in request.history)
            question = request.next_question or ""
            if told.get("event_date"):
                theirs = [e.text for e in reversed(request.history) if e.direction == "in"]
                day = date.fromisoformat(str(told["event_date"]))
                if check := weekday_check(day, [request.text, *theirs]):
                    told.pop("event_date")  # not "Got it: on Sunday, May 16"
                    question = check
            text = opening(request.text, told, question, first=first)
            completion = self.unrepeated(
                request, decided(text, "lead-question", answer="next-question"), small=True
            )
            return completion  # the caller shows what code decided
        # Another model phrases the question itself (it is in its prompt); its reply
        # goes through the same checks as every model reply (grounding, no repeat).
        return await self.answer_prepared(request, provider, on_sentence=on_sentence)

    def _read_back(self, text: str) -> dict[str, Any]:
        """What ``text`` told that is safe to read back: a date written with its day
        ("June 14", not "a Tuesday in March"), a guest count, a place we serve."""
        told = extract_lead(text, today=self.today(), service_area=self.terms.names()).known()
        if not any(c.isdigit() for c in text):
            told.pop("event_date", None)
        if told.get("location") and not self.terms.place(str(told["location"])):
            told.pop("location")  # "in Bitcoin" is no city; an unserved one is not "got"
        return told

    def quote(self, request: AgentRequest) -> Estimate | None:
        """The estimate a price question asks for, from the message, the customer's
        earlier messages and the lead's stored fields; None when it is no price
        question, the business has no price list, or no guest count is known."""
        prices = self.business.pricing
        if prices is None or request.is_team or not asks_price(request.text):
            return None
        earlier = [e.text for e in reversed(request.history) if e.direction == "in"]
        return estimate(
            request.text,
            prices,
            today=self.today(),
            earlier=earlier,
            known=request.contact_facts,
        )

    def facts_answer(self, request: AgentRequest) -> str | None:
        """The documents' sentences, then the next question a booking needs."""
        text = super().facts_answer(request)
        if text is None or request.next_question is None:
            return text
        return f"{text} {request.next_question}"


def _score(
    merged: Mapping[str, Any], terms: BusinessTerms, today: date, messages: int
) -> tuple[int, tuple[str, ...]]:
    result = score_lead(merged, terms=terms, today=today, messages=messages)
    return result.score, result.reasons
