"""`Enricher`: research a person, ask the model for a lead profile, keep what holds.

One run is: research (`ResearchProvider`), the bot's own records added as
sources (`known_sources`), every source screened for text addressed to an
AI, one structured call (``response_schema=EnrichmentDraft``; the provider
layer validates and re-asks on invalid JSON), then the evidence check
(`agents.enrich.evidence`). Storing the result and logging the calls is the
caller's part (`bot.enrich.service`); `EnrichRun.calls` lists every model
call made, repairs included.

Errors pass through: a research failure is an `agents.errors.ProviderError`,
an answer that never validates a `StructuredOutputError` (both carry
``calls``). A failed search is not papered over with a known-data answer,
which would then be stored and reused for 30 days as if it were research.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from agents.enrich.evidence import check_draft, normalise_url
from agents.enrich.prompt import enrich_messages
from agents.enrich.result import Enrichment, EnrichmentDraft, SourceRef
from agents.providers.base import CallOptions, CallRecord, ModelProvider
from agents.research.base import PersonProfile, Research, ResearchProvider, Source
from agents.research.known import known_sources
from agents.research.untrusted import screen_source

#: Room for the draft: a first message and up to ten signals with quotes.
DEFAULT_MAX_TOKENS = 1200


@dataclass(frozen=True)
class EnrichRun:
    """One enrichment and every model call it took (for ``model_calls`` and the budget)."""

    enrichment: Enrichment
    calls: tuple[CallRecord, ...]
    #: The research it was made from (query, sources as found, notes).
    research: Research | None = None


#: Why an enrichment has no score worth the name.
NO_EVIDENCE_NOTE = (
    "No evidence: the research found nothing about them and our records hold only "
    "the address they were looked up by, so no model was asked and the lead score is 0."
)


class Enricher:
    """Turns a `PersonProfile` into a checked `Enrichment` with one model and one research."""

    def __init__(
        self,
        provider: ModelProvider,
        research: ResearchProvider,
        *,
        offers: str = "",
        max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.2,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``offers``: what the business sells, for the model's project-fit judgement."""
        self.provider = provider
        self.research = research
        self.offers = offers
        self.max_tokens = max_tokens
        self.temperature = temperature
        self._clock = clock

    async def enrich(self, person: PersonProfile) -> EnrichRun:
        """Research ``person`` and return the checked enrichment (see the module doc)."""
        if person.contact_id is None:
            raise ValueError("enrich needs a stored contact (PersonProfile.contact_id is None)")
        research = await self.research.research(person)
        sources = sources_for(person, research)
        if not has_evidence(person, research):
            return EnrichRun(
                enrichment=self._no_evidence(person, research, sources), calls=(), research=research
            )
        completion = await self.provider.complete(
            enrich_messages(sources, offers=self.offers),
            CallOptions(
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                response_schema=EnrichmentDraft,
            ),
        )
        draft: EnrichmentDraft = completion.parsed
        checked = check_draft(draft, sources, person)
        enrichment = Enrichment(
            contact_id=person.contact_id,
            expertise_areas=[area for area in draft.expertise_areas if area.strip()],
            project_fit=draft.project_fit,
            outreach_approach=draft.outreach_approach,
            first_message=draft.first_message,
            email=checked.email,
            lead_score=checked.lead_score,
            model_lead_score=draft.lead_score,
            intent_signals=checked.intent_signals,
            sources=[SourceRef(url=s.url, title=s.title, flags=list(s.flags)) for s in sources],
            research=research.provider,
            notes=[*research.notes, *checked.notes],
            model=completion.model_id,
            created_at=self._clock(),
        )
        return EnrichRun(enrichment=enrichment, calls=completion.call_log, research=research)

    def _no_evidence(
        self, person: PersonProfile, research: Research, sources: list[Source]
    ) -> Enrichment:
        """Nothing to go on: no model is asked (it would invent a person), the score is 0."""
        assert person.contact_id is not None
        return Enrichment(
            contact_id=person.contact_id,
            expertise_areas=[],
            project_fit="",
            outreach_approach="",
            first_message="",
            email=None,
            lead_score=0.0,
            model_lead_score=0.0,
            evidence=False,
            intent_signals=[],
            sources=[SourceRef(url=s.url, title=s.title, flags=list(s.flags)) for s in sources],
            research=research.provider,
            notes=[*research.notes, NO_EVIDENCE_NOTE],
            model="none",
            created_at=self._clock(),
        )


def has_evidence(person: PersonProfile, research: Research) -> bool:
    """Whether anything speaks about ``person`` beyond the address they were looked up by:
    a web source, their own messages, or facts the bot stored about them."""
    known = {normalise_url(source.url) for source in known_sources(person)}
    found = [s for s in research.sources if normalise_url(s.url) not in known and s.content.strip()]
    return bool(found or person.history or person.facts)


def sources_for(person: PersonProfile, research: Research) -> list[Source]:
    """The bot's records of ``person`` first, then the research's other sources, screened.

    Screening again is cheap and idempotent; it covers a `ResearchProvider`
    that forgot to.
    """
    merged: dict[str, Source] = {}
    for source in (*known_sources(person), *research.sources):
        merged.setdefault(normalise_url(source.url), screen_source(source))
    return list(merged.values())
