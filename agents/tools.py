"""`AgentTools`: what the agents can do besides talking, wired once per process.

Each field is optional so an agent built without a database (unit tests, the
benchmarks) still answers; an agent whose tool is missing answers from the
model alone. The runtime fills them from its stores.

Each field is typed by a Protocol naming only what the agents call: the runtime
passes `agents.knowledge.retriever.Retriever` (or its traced wrapper),
`memory.bookings.BookingStore`, `memory.leads.LeadBook` and
`agents.operations.reports.OpsReports`; a test may pass anything shaped so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from agents.knowledge.retriever import Hit
    from memory.booking_records import BookingChange, BookingView
    from memory.leads import LeadRecord, Scorer


class KnowledgeBase(Protocol):
    """The business's documents, searched (`agents.knowledge.retriever.Retriever`)."""

    async def relevant(self, query: str, *, also: Iterable[str] = ()) -> Sequence[Hit]:
        """The chunks that answer ``query``; ``also``: terms the business's description holds."""
        ...


class Bookings(Protocol):
    """Bookings as customer care reads and changes them (`memory.bookings.BookingStore`)."""

    def today(self, now: datetime | None = None) -> date:
        """The business's date now (or at ``now``)."""
        ...

    async def for_contact(
        self, contact_id: int, *, since: date | None = None, confirmed_only: bool = False
    ) -> list[BookingView]:
        """A contact's bookings, soonest first."""
        ...

    async def by_reference(
        self, reference: str, *, contact_id: int | None = None
    ) -> BookingView | None:
        """The booking quoted as ``reference``; with ``contact_id``, only if it is theirs."""
        ...

    async def change(
        self,
        reference: str,
        change: BookingChange,
        *,
        today: date,
        by: str,
        contact_id: int | None = None,
    ) -> tuple[BookingView, BookingView]:
        """Apply ``change`` to the booking; the booking before and after."""
        ...


class Leads(Protocol):
    """Where lead nurturing keeps what it learns of a lead (`memory.leads.LeadBook`)."""

    async def capture(
        self,
        contact_id: int,
        fields: Mapping[str, Any],
        *,
        scorer: Scorer | None = None,
        time_zone: str | None = None,
        followup_for: int | None = None,
    ) -> LeadRecord:
        """Merge ``fields`` onto the contact's lead, rescore it, and return the result."""
        ...


class Reports(Protocol):
    """The team's numbers as text (`agents.operations.reports.OpsReports`)."""

    async def schedule(self, now: datetime | None = None) -> str:
        """Today's and tomorrow's bookings."""
        ...

    async def pipeline(self, now: datetime | None = None) -> str:
        """The open lead pipeline."""
        ...

    async def costs(self, now: datetime | None = None) -> str:
        """This month's model spend against the budget."""
        ...


@dataclass
class AgentTools:
    """The stores and services the agents' tools use."""

    #: The business's documents: retrieval for grounded answers (agents/knowledge).
    knowledge: KnowledgeBase | None = None
    #: Bookings: customer care looks them up and changes them.
    bookings: Bookings | None = None
    #: Lead fields, lead score and follow-ups of contacts (lead nurturing).
    leads: Leads | None = None
    #: The team's numbers: schedule, lead pipeline and cost report (operations only).
    reports: Reports | None = None
