"""`EnrichService`: research a contact and score them as a lead.

`EnrichService` is the one way in for every channel, the HTTP API and the
batch: find or create the contact, reuse a fresh stored enrichment (no
research, no model call), or research and score anew, then store the result
on the contact and log what the models cost. The chat command is in
`bot.enrich.command`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from agents.business import BusinessProfile
from agents.enrich.enricher import Enricher
from agents.enrich.result import Enrichment
from agents.errors import AgentError
from agents.research.base import PersonProfile, ResearchProvider
from bot.enrich.target import Target, TargetError, parse_target
from memory.addresses import EMAIL, PHONE
from memory.contacts import Address
from memory.enrichment import EnrichmentStore
from memory.enrichment_records import ContactRecord
from memory.errors import InvalidAddressError
from memory.models import utcnow

if TYPE_CHECKING:
    from bot.costs.budget import BudgetMonitor
    from memory.conversations import ConversationStore
    from memory.model_calls import CallUsage

log = logging.getLogger(__name__)

#: The agent name model calls are logged under.
AGENT = "/enrich"
#: Business notes that describe what it sells, in the order they are quoted.
OFFER_NOTES = ("offers", "services", "products", "packages", "pricing")
OFFERS_CHARS = 2000


class EnrichService:
    """Finds, researches, scores and stores contacts; every channel and the API use it."""

    def __init__(
        self,
        *,
        store: EnrichmentStore,
        enricher: Enricher,
        research: ResearchProvider,
        conversations: ConversationStore | None = None,
        budget: BudgetMonitor | None = None,
        max_age: timedelta = timedelta(days=30),
        default_region: str = "US",
    ) -> None:
        self.store = store
        self.enricher = enricher
        self.research = research
        self.conversations = conversations
        self.budget = budget
        self.max_age = max_age
        self.default_region = default_region

    def parse(self, text: str) -> Target:
        """Read a target as the command and the API take it (`TargetError` if malformed)."""
        return parse_target(text, default_region=self.default_region)

    async def locate(self, target: Target, *, aliases: Sequence[Address] = ()) -> ContactRecord:
        """The contact ``target`` names, created if needed.

        ``aliases`` are more identities of the same person (the e-mail of a
        Slack profile): they join the contact, and research can use them.
        Raises `ContactNotFoundError` (an unknown ``#id``), `AmbiguousContactError`
        (a name several contacts share) or `TargetError` (an identity that
        cannot be stored).
        """
        if target.contact_id is not None:
            return await self.store.by_id(target.contact_id)
        addresses = [target.address, *aliases] if target.address else []
        try:
            return await self.store.locate(addresses=addresses, name=target.name)
        except InvalidAddressError as exc:
            raise TargetError(str(exc)) from None

    async def enrich(self, contact_id: int, *, refresh: bool = False) -> Enrichment:
        """The enrichment of contact ``contact_id``: the stored one while fresh, else a new one."""
        return await self.enrich_record(await self.store.by_id(contact_id), refresh=refresh)

    async def enrich_target(self, target: Target, *, refresh: bool = False) -> Enrichment:
        """`locate` then `enrich_record`."""
        return await self.enrich_record(await self.locate(target), refresh=refresh)

    def fresh(self, record: ContactRecord, *, now: datetime | None = None) -> Enrichment | None:
        """The stored enrichment, marked cached, if younger than ENRICH_MAX_AGE_DAYS."""
        if record.enrichment is None or record.enriched_at is None:
            return None
        if (now or utcnow()) - record.enriched_at >= self.max_age:
            return None
        try:
            stored = Enrichment.model_validate({**record.enrichment, "cached": True})
        except ValueError:
            # Written by an older version of the schema: research anew rather than fail.
            log.warning("contact %s: stored enrichment no longer reads; refreshing", record.id)
            return None
        return stored

    async def enrich_record(self, record: ContactRecord, *, refresh: bool = False) -> Enrichment:
        """Reuse a fresh stored enrichment unless ``refresh``; otherwise research and store."""
        if not refresh and (cached := self.fresh(record)) is not None:
            return cached
        record = await self.store.complete(record)
        try:
            run = await self.enricher.enrich(person_profile(record))
        except AgentError as exc:
            # Failed attempts (provider errors, invalid answers) may have cost money: log them.
            await self._log_failed(getattr(exc, "calls", ()), record.id)
            raise
        enrichment = run.enrichment
        await self.store.save(
            record.id,
            enrichment.stored(),
            enriched_at=enrichment.created_at,
            calls=run.calls,
            agent=AGENT,
        )
        if self.budget is not None:
            await self.budget.after_calls(run.calls, contact_id=record.id)
        return enrichment

    async def aclose(self) -> None:
        """Close the research provider's connections."""
        await self.research.aclose()

    async def _log_failed(self, calls: Sequence[CallUsage], contact_id: int) -> None:
        if not calls or self.conversations is None:
            return
        await self.conversations.record_calls(calls, agent=AGENT, contact_id=contact_id)
        if self.budget is not None:
            await self.budget.after_calls(calls, contact_id=contact_id)


def person_profile(record: ContactRecord) -> PersonProfile:
    """What research starts from: the contact's name, identities, facts and own words."""
    return PersonProfile(
        contact_id=record.id,
        name=record.name,
        emails=tuple(value for kind, value in record.addresses if kind == EMAIL),
        phones=tuple(value for kind, value in record.addresses if kind == PHONE),
        handles=tuple(f"{k}:{v}" for k, v in record.addresses if k not in (EMAIL, PHONE)),
        facts=dict(record.facts),
        history=record.history,
    )


def offers_text(business: BusinessProfile) -> str:
    """What the business sells, for the model's project-fit judgement."""
    parts = [f"{business.name}: {business.summary}".strip().rstrip(":")]
    notes = dict(business.notes)
    parts += [notes[stem] for stem in OFFER_NOTES if stem in notes]
    text = "\n\n".join(p for p in parts if p)
    return text[:OFFERS_CHARS]
