"""The settings of the team's commands: /compare and /enrich, and who may use them.

`bot.settings.Settings` reads these with the rest.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings

from bot.settings.models import check_model_ids, comma_list, known_model_id


class CommandSettings(BaseSettings):
    """The team's commands: /compare asks several models at once, /enrich researches a contact."""

    team_telegram_ids: str = Field(
        "", description="Telegram user ids allowed the team's commands (/compare, /enrich)."
    )

    # /compare: three models at once, ranked.
    compare_models: str = Field(
        "openai,anthropic,gemini",
        description="Comma-separated model ids (openai, anthropic, gemini, groq, ollama, "
        "local, or provider:model) /compare asks.",
    )
    compare_timeout_s: float = Field(30.0, gt=0, description="Seconds each model may take.")
    compare_deadline_s: float = Field(
        45.0, gt=0, description="Seconds for a whole /compare, judge included."
    )
    compare_judge_model: str | None = Field(
        None,
        # JUDGE_MODEL is this setting's name from before /compare existed; still read.
        validation_alias=AliasChoices("compare_judge_model", "judge_model"),
        description="The LLM judge; unset: heuristics.",
    )
    compare_rate_limit: int = Field(10, ge=1, description="Compares per user per minute.")
    compare_cache_ttl_s: int = Field(3600, ge=0, description="Repeat questions served stored.")
    compare_max_tokens: int = Field(600, ge=16, le=8192, description="Per answer.")

    # /enrich: research a contact and score the lead.
    enrich_model: str | None = Field(None, description="Unset: AI_PROVIDER's default.")
    tavily_api_key: str | None = Field(None, repr=False)
    tavily_base_url: str = Field("https://api.tavily.com", description="The Tavily API.")
    tavily_max_results: int = Field(5, ge=1, le=20)
    enrich_max_age_days: int = Field(30, ge=0, description="Enrichments reused this long.")

    @field_validator("compare_judge_model", "enrich_model")
    @classmethod
    def _known_command_model(cls, value: str | None) -> str | None:
        return known_model_id(value)

    @field_validator("compare_models")
    @classmethod
    def _known_compare_models(cls, value: str) -> str:
        check_model_ids(comma_list(value))
        return value

    @field_validator("tavily_base_url")
    @classmethod
    def _tavily_without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def compare_model_ids(self) -> list[str]:
        """The models /compare asks, as written in ``COMPARE_MODELS``."""
        return comma_list(self.compare_models)

    def team_telegram_id_set(self) -> frozenset[str]:
        """The Telegram user ids in ``TEAM_TELEGRAM_IDS``."""
        return frozenset(comma_list(self.team_telegram_ids))
