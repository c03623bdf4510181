"""The settings of the agents' work: routing, the knowledge base, lead follow-ups, privacy.

`bot.settings.Settings` reads these with the rest.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class AgentWorkSettings(BaseSettings):
    """How the agents route, ground their answers, follow up and keep data private.

    The business's time zone, which quiet hours are read in, is `CoreSettings`'s.
    """

    # Routing: which agent answers, and when to ask or hand to a person instead.
    router_min_confidence: float = Field(
        0.45,
        ge=0,
        le=1,
        description="Below this, a customer is asked a clarifying question or handed off.",
    )
    router_embeddings: bool = Field(
        True,
        description="Ask the embedded model's sentence vectors when the words of routing.yml's"
        " examples leave the route unsure.",
    )

    # Knowledge base: the business's documents the agents answer from.
    kb_top_k: int = Field(4, ge=1, le=20, description="Chunks put in a prompt.")
    # 2.4 by bench/knowledge.py: every answerable sample question found, 88% of the
    # unanswerable ones refused; 2.6 loses place names ("Napa", "Marin") in long passages.
    kb_min_score: float = Field(
        2.4, ge=0, description="BM25 score under which a chunk does not count as an answer."
    )
    kb_embeddings_model: str = Field(
        "",
        description="An OpenAI-compatible embeddings model (e.g. text-embedding-3-small, with"
        " OPENAI_API_KEY and OPENAI_BASE_URL) fused with BM25 in retrieval; empty: words only.",
    )
    kb_vector_weight: float = Field(
        1.0, ge=0, description="How much one standard deviation of vector similarity weighs."
    )
    answer_extractive_models: str = Field(
        "local:*",
        description="Models (comma-separated provider:model patterns) whose fact answers are"
        " the documents' own sentences, not the model's paraphrase; empty: none.",
    )

    # Lead follow-ups (bot followups run, and a periodic job in bot serve).
    quiet_hours: str = Field(
        "21:00-08:00",
        pattern=r"^(|\d{1,2}:\d{2}-\d{1,2}:\d{2})$",
        description="No follow-up is sent in these hours of the contact's time zone.",
    )
    followup_delay_hours: float = Field(
        24.0,
        gt=0,
        description="How long after a lead goes quiet the first follow-up is due "
        "(the second waits twice as long after the first, and so on).",
    )
    followup_max_per_contact: int = Field(
        2, ge=0, le=20, description="Follow-ups a contact gets at most, ever."
    )
    followup_interval_s: float = Field(
        300.0, ge=0, description="How often bot serve runs due follow-ups; 0 turns it off."
    )

    # Privacy.
    pii_scrub_cloud: bool = Field(
        False,
        description="Mask phone numbers, e-mails and card numbers before cloud models see them.",
    )
