"""The customer care agent: looks after people who have booked.

What can be decided in code is: refunds, chargebacks, cancellations and
complaints go to a person (no model can promise money); a clear change of
date, time or guest count is applied to the booking and confirmed; "when is
my booking?" is answered from the booking itself. Anything else goes to the
model with the customer's bookings in its prompt.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from agents.base import Agent
from agents.customer_care.booking_changes import ChangeRequest, find_reference, parse_change
from agents.customer_care.escalation import escalation, handoff_reason
from agents.decided import decided
from agents.providers.base import HANDOFF, Completion
from agents.request import AgentRequest, Tool
from agents.tools import Bookings
from memory.booking_records import (
    BookingChangeRefusedError,
    BookingNotFoundError,
    BookingView,
)

#: A question about a booking's when, where or state, answered from the booking.
_LOOKUP = re.compile(
    r"\b(?:when|what (?:time|date|day)|which (?:day|date)|details|confirm\w*|still on|"
    r"status|look(?:ing)? (?:it )?up|remind me|how many guests)\b",
    re.IGNORECASE,
)
_BOOKING_WORDS = re.compile(r"\b(?:booking|reservation|event|party|dinner)s?\b", re.IGNORECASE)
ASK_REFERENCE = (
    "I can't find an upcoming booking under your contact details. If you booked with "
    "another phone number or e-mail, send me the booking reference (like HH-1042)."
)


class CustomerCareAgent(Agent):
    """Handles changes, cancellations, complaints and refunds for existing bookings."""

    name = "customer_care"
    description = "Existing bookings: changes, cancellations, refunds, complaints, receipts."
    instructions = """
You are the customer care assistant of {business}. You help customers who
already booked: moving a date, changing the guest count, cancelling, receipts,
refunds and complaints. Apologise sincerely when something went wrong, explain
the relevant policy from the facts below, and say that a team member will
follow up on refunds, charges and complaints. Never promise a refund yourself.
Keep answers short: two to four sentences, plain text, no Markdown.
"""
    tools = (
        Tool("lookup_booking", "Find the customer's booking."),
        Tool("update_booking", "Change the date, time or guest count of a booking."),
        Tool("escalate", "Hand the conversation to a person."),
    )

    @property
    def bookings(self) -> Bookings | None:
        """The booking store, when the runtime gave one."""
        return self.agent_tools.bookings

    async def decide(self, request: AgentRequest) -> Completion | None:
        """Escalate, change or look up in code; None lets the model answer."""
        # A team member asking about a refund is not one: they are the person.
        kind = None if request.is_team else escalation(request.text)
        if kind is not None:
            reference = await self._reference_for(request)
            reason = handoff_reason(kind, reference)
            answer = decided(reason, "escalate", tool="escalate", handoff_reason=reason)
            return replace(answer, finish_reason=HANDOFF)
        store = self.bookings
        if store is None or request.contact_id is None:
            return None
        today = store.today()
        asked = parse_change(request.text, today=today)
        if not asked.is_change and asked.reference is not None and asked.change.empty:
            asked = _continued(request, asked, today)
        if asked.is_change:
            return await self._change(store, request, asked, today)
        if asked.reference is not None or (
            _LOOKUP.search(request.text) and _BOOKING_WORDS.search(request.text)
        ):
            return await self._lookup(store, request, asked.reference, today)
        return None

    async def prepare(self, request: AgentRequest) -> AgentRequest:
        """Add the customer's upcoming bookings to what the model is told."""
        request = await super().prepare(request)
        store = self.bookings
        if store is None or request.contact_id is None:
            return request
        found = await store.for_contact(request.contact_id, since=store.today())
        if not found:
            notes = ["The customer has no upcoming booking on record."]
        else:
            notes = [f"The customer's booking: {booking.describe()}" for booking in found[:3]]
        return replace(request, knowledge=(*request.knowledge, *notes))

    async def _reference_for(self, request: AgentRequest) -> str | None:
        """The booking an escalation is about: quoted, or the customer's next one."""
        quoted = find_reference(request.text)
        store = self.bookings
        if store is None or request.contact_id is None:
            return quoted
        if quoted is not None:
            owner = None if request.is_team else request.contact_id
            found = await store.by_reference(quoted, contact_id=owner)
            # A reference that is not theirs is passed on as quoted, for the team to check.
            return found.reference if found else f"{quoted} (not on their contact)"
        upcoming = await store.for_contact(request.contact_id, since=store.today())
        return upcoming[0].reference if len(upcoming) == 1 else None

    async def _target(
        self, store: Bookings, request: AgentRequest, asked: ChangeRequest, today: date
    ) -> BookingView | Completion:
        """The one booking a request is about, or the question to ask instead."""
        if asked.reference is not None:
            owner = None if request.is_team else request.contact_id
            found = await store.by_reference(asked.reference, contact_id=owner)
            if found is None:
                return _not_found(asked.reference)
            return found
        assert request.contact_id is not None
        upcoming = await store.for_contact(request.contact_id, since=today, confirmed_only=True)
        if asked.current_date is not None:
            upcoming = [b for b in upcoming if b.event_date == asked.current_date] or upcoming
        if not upcoming:
            return decided(ASK_REFERENCE, "booking-not-found", tool="lookup_booking")
        if len(upcoming) > 1:
            listed = "; ".join(booking.describe() for booking in upcoming[:5])
            text = f"You have {len(upcoming)} upcoming bookings: {listed}. Which one do you mean? "
            text += "Reply with its reference."
            return decided(text, "booking-which", tool="lookup_booking")
        return upcoming[0]

    async def _change(
        self, store: Bookings, request: AgentRequest, asked: ChangeRequest, today: date
    ) -> Completion:
        target = await self._target(store, request, asked, today)
        if isinstance(target, Completion):
            return target
        who = "team" if request.is_team else "customer"
        try:
            before, after = await store.change(
                target.reference,
                asked.applied_to(target.guests),
                today=today,
                by=f"{who} via {request.channel}, message {request.message_id}",
                contact_id=None if request.is_team else request.contact_id,
            )
        except BookingNotFoundError:
            return _not_found(target.reference)
        except BookingChangeRefusedError as exc:
            text = (
                f"I can't make that change myself ({exc}). A team member can help: "
                "reply with what you need and ask for a person."
            )
            return decided(text, "booking-change-refused", tool="update_booking")
        if before == after:
            text = f"Your booking already reads {after.describe()}. Nothing needed changing."
        else:
            text = f"Done: your booking is now {after.describe()}."
        return decided(text, "booking-change", tool="update_booking", booking=after.reference)

    async def _lookup(
        self, store: Bookings, request: AgentRequest, reference: str | None, today: date
    ) -> Completion:
        if reference is not None:
            owner = None if request.is_team else request.contact_id
            found = await store.by_reference(reference, contact_id=owner)
            if found is None:
                return _not_found(reference)
            text = f"Your booking {found.describe()}."
            return decided(text, "booking-lookup", tool="lookup_booking", booking=reference)
        assert request.contact_id is not None
        upcoming = await store.for_contact(request.contact_id, since=today)
        if not upcoming:
            return decided(ASK_REFERENCE, "booking-not-found", tool="lookup_booking")
        if len(upcoming) == 1:
            text = f"Your booking {upcoming[0].describe()}."
        else:
            text = "Your upcoming bookings: " + "; ".join(b.describe() for b in upcoming[:5]) + "."
        return decided(text, "booking-lookup", tool="lookup_booking")


def _not_found(reference: str) -> Completion:
    # Whether the booking exists under someone else is not theirs to learn.
    text = (
        f"I can't find booking {reference} under your contact details. Please check the "
        "reference, or write from the phone number or e-mail you booked with."
    )
    return decided(text, "booking-not-found", tool="lookup_booking")


def _continued(request: AgentRequest, asked: ChangeRequest, today: date) -> ChangeRequest:
    """A reply naming the booking we asked about, joined to the change asked before it.

    "Which one do you mean?" → "HH-1042": the change is in the previous message.
    """
    last_out = next((e for e in reversed(request.history) if e.direction == "out"), None)
    if last_out is None or last_out.agent != CustomerCareAgent.name:
        return asked
    last_in = next((e for e in reversed(request.history) if e.direction == "in"), None)
    if last_in is None:
        return asked
    earlier = parse_change(last_in.text, today=today)
    if not earlier.is_change or earlier.reference is not None:
        return asked
    return replace(earlier, reference=asked.reference)
