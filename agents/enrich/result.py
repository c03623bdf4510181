"""What /enrich produces: the model's structured answer and the checked enrichment.

`EnrichmentDraft` is the schema the model must fill (through the provider's
structured output). `Enrichment` is what the bot keeps after checking the
draft against the sources: e-mails and intent signals must come from a
source, and the lead score is bounded by the evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints


class IntentSignal(BaseModel):
    """A sign the person may buy, with the source it came from."""

    signal: str = Field(
        max_length=120, description="What the person is doing or needs, in a few words."
    )
    source_url: str = Field(max_length=500, description="The URL of the source that shows it.")
    evidence: str = Field(max_length=300, description="A short quote from that source.")


class EnrichmentDraft(BaseModel):
    """The model's answer: fill every field from the sources only.

    The length limits keep answers to the point, and they bound what a
    grammar-constrained model (the embedded one) can write: a small model
    otherwise rambles until its context is full and the JSON is never closed.
    """

    expertise_areas: list[Annotated[str, StringConstraints(max_length=60)]] = Field(
        default_factory=list, max_length=6
    )
    project_fit: str = Field(max_length=400, description="Which of our offers fits, and why.")
    outreach_approach: str = Field(max_length=400, description="How to approach them.")
    first_message: str = Field(max_length=600, description="A drafted first message to them.")
    email: str | None = Field(
        None, max_length=254, description="Their e-mail, only if a source shows it."
    )
    lead_score: float = Field(ge=0, le=1, description="How likely they are to buy, 0 to 1.")
    intent_signals: list[IntentSignal] = Field(default_factory=list, max_length=5)


class SourceRef(BaseModel):
    """A source as stored with the enrichment."""

    url: str
    title: str = ""
    flags: list[str] = Field(default_factory=list)


class Enrichment(BaseModel):
    """A checked enrichment, as stored on the contact and returned by the API."""

    contact_id: int
    expertise_areas: list[str]
    project_fit: str
    outreach_approach: str
    first_message: str
    email: str | None
    lead_score: float = Field(ge=0, le=1)
    #: What the model proposed before the evidence check.
    model_lead_score: float = Field(ge=0, le=1)
    intent_signals: list[IntentSignal]
    sources: list[SourceRef]
    research: str  # tavily, known_data
    notes: list[str] = Field(default_factory=list)
    model: str
    created_at: datetime
    #: Set when this result was served from the stored one (not researched now).
    cached: bool = False

    def stored(self) -> dict[str, Any]:
        """The JSON kept in ``contacts.enrichment``."""
        return self.model_dump(mode="json", exclude={"cached"})
