"""What /enrich produces: the model's structured answer and the checked enrichment.

`EnrichmentDraft` is the schema the model must fill (through the provider's
structured output). `Enrichment` is what the bot keeps after checking the
draft against the sources: e-mails and intent signals must come from a
source, and the lead score is bounded by the evidence.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

#: What a model copies from the JSON schema instead of filling it: ``#/$defs/Project Fit``,
#: ``{"$ref": ...}``, ``{"type": "string", ...}``.
_SCHEMA_TEXT = re.compile(r"#/\$defs/|\$ref\b|^\s*\{\s*\"(?:type|properties|title)\"\s*:")


def _content(value: str) -> str:
    """Schema text in a field is no content: emptied (the card shows "—"), never shown.

    Small models (the embedded SmolLM2) copy ``#/$defs/Project Fit`` from the schema
    into every try; refusing the draft would lose the fields they did fill.
    """
    return "" if _SCHEMA_TEXT.search(value) else value


#: Text a model writes for a person; a copy of the schema reads as empty.
Content = Annotated[str, AfterValidator(_content)]


class IntentSignal(BaseModel):
    """A sign the person may buy, with the source it came from."""

    signal: Content = Field(
        max_length=120, description="What the person is doing or needs, in a few words."
    )
    source_url: str = Field(max_length=500, description="The URL of the source that shows it.")
    evidence: Content = Field(max_length=300, description="A short quote from that source.")


class EnrichmentDraft(BaseModel):
    """The model's answer: fill every field from the sources only.

    The length limits keep answers to the point, and they bound what a
    grammar-constrained model (the embedded one) can write: a small model
    otherwise rambles until its context is full and the JSON is never closed.
    """

    expertise_areas: list[Annotated[Content, StringConstraints(max_length=60)]] = Field(
        default_factory=list, max_length=6
    )
    project_fit: Content = Field(max_length=400, description="Which of our offers fits, and why.")
    outreach_approach: Content = Field(max_length=400, description="How to approach them.")
    first_message: Content = Field(max_length=600, description="A drafted first message to them.")
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
    #: False when nothing was known or found about the person: no model was asked,
    #: and the score is 0 (see `agents.enrich.enricher`).
    evidence: bool = True
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
