"""The models' settings: the default, vendors, the catalogue file, resilience, the hybrid.

Each vendor's default model is the model catalogue's (`agents/providers/models.yml`,
``defaults:``), not a constant here: ``OPENAI_MODEL`` and friends are unset
unless the operator names a model, so a catalogue update moves every default
at once. `bot.settings.Settings` reads these with the rest.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings

from agents.errors import UnknownProviderError
from agents.providers.factory import parse_model_id
from agents.providers.settings import VendorSettings


class ModelSettings(BaseSettings):
    """The default and per-role models, vendors, MODELS_FILE, the retry loop, the hybrid."""

    ai_provider: str = Field("local", description="Default model: a provider or provider:model.")
    local_model_path: Path | None = Field(None, description="A GGUF file to use instead.")
    local_max_concurrency: int = Field(2, ge=1, le=64)
    local_context_tokens: int = Field(2048, ge=256, le=32768)

    # Vendors. Keys are never logged (repr=False). An unset *_MODEL means the catalogue's.
    openai_api_key: str | None = Field(None, repr=False)
    openai_base_url: str | None = Field(None, description="Another OpenAI endpoint (a proxy).")
    openai_model: str | None = Field(None, description="Unset: the catalogue's default.")
    anthropic_api_key: str | None = Field(None, repr=False)
    anthropic_base_url: str | None = None
    anthropic_model: str | None = None
    groq_api_key: str | None = Field(None, repr=False)
    groq_base_url: str | None = None
    groq_model: str | None = None
    groq_timeout: float = Field(30.0, gt=0, description="Seconds for a whole Groq call.")
    groq_max_tokens: int = Field(1024, ge=1, description="Cap on max_tokens of Groq calls.")
    gemini_api_key: str | None = Field(None, repr=False)
    gemini_base_url: str | None = Field(
        None, description="Unset: Google's OpenAI-compatible endpoint."
    )
    gemini_model: str | None = None
    ollama_base_url: str = Field("http://localhost:11434/v1", description="Any /v1 endpoint.")
    ollama_api_key: str | None = Field(None, repr=False, description="For vLLM --api-key.")
    ollama_model: str | None = None
    models_file: Path | None = Field(
        None, description="A YAML file adding to or overriding the model catalogue."
    )

    # Resilience: one retry loop, explicit timeouts, a chain that ends on the embedded model.
    ai_fallbacks: str = Field("", description="Comma-separated model ids tried in order.")
    ai_last_resort: str = Field("local", description="Ends every chain; 'none' for none.")
    ai_connect_timeout: float = Field(5.0, gt=0)
    ai_timeout: float = Field(30.0, gt=0, description="Seconds for a whole call.")
    ai_stream_idle_timeout: float = Field(10.0, gt=0, description="Seconds between chunks.")
    ai_max_attempts: int = Field(3, ge=1, le=10)
    ai_max_retry_after: float = Field(20.0, ge=0, description="Longer 429 waits fall back.")
    ai_cooldown_seconds: float = Field(15.0, ge=0)

    # Hybrid teacher-student; an unset teacher is the catalogue's (``teacher:``).
    hybrid_student: str = Field("local:smollm2")
    hybrid_teacher: str | None = None
    confidence_threshold_high: float = Field(0.75, ge=0, le=1)
    confidence_threshold_low: float = Field(0.40, ge=0, le=1)

    # Per-role models; unset means AI_PROVIDER's default.
    agent_model_lead_nurturing: str | None = None
    agent_model_customer_care: str | None = None
    agent_model_operations: str | None = None
    agent_model_knowledge: str | None = None

    @field_validator(
        "ai_provider",
        "hybrid_student",
        "hybrid_teacher",
        "agent_model_lead_nurturing",
        "agent_model_customer_care",
        "agent_model_operations",
        "agent_model_knowledge",
    )
    @classmethod
    def _known_provider(cls, value: str | None) -> str | None:
        return known_model_id(value)

    @field_validator("ai_fallbacks")
    @classmethod
    def _known_providers(cls, value: str) -> str:
        check_model_ids(comma_list(value))
        return value

    @field_validator("ai_last_resort")
    @classmethod
    def _last_resort(cls, value: str) -> str:
        if value.strip().lower() not in {"", "none"}:
            check_model_ids([value])
        return value

    @field_validator("confidence_threshold_low")
    @classmethod
    def _thresholds_in_order(cls, value: float, info: ValidationInfo) -> float:
        high = info.data.get("confidence_threshold_high")
        if high is not None and value > high:
            raise ValueError(f"must not exceed CONFIDENCE_THRESHOLD_HIGH ({high})")
        return value

    @field_validator("local_model_path")
    @classmethod
    def _model_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("models_file")
    @classmethod
    def _models_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"no such file: {value}")
        return value.expanduser() if value is not None else None

    def vendor_settings(self) -> dict[str, VendorSettings]:
        """Key, base URL and limits of each vendor."""
        return {
            "openai": VendorSettings(self.openai_api_key, self.openai_base_url),
            "anthropic": VendorSettings(self.anthropic_api_key, self.anthropic_base_url),
            "groq": VendorSettings(
                self.groq_api_key,
                self.groq_base_url,
                timeout=self.groq_timeout,
                max_tokens=self.groq_max_tokens,
            ),
            "gemini": VendorSettings(self.gemini_api_key, self.gemini_base_url),
            "ollama": VendorSettings(self.ollama_api_key, self.ollama_base_url),
        }

    def default_models(self) -> dict[str, str]:
        """The vendors whose *_MODEL is set; the others use the catalogue's default."""
        models = {
            "openai": self.openai_model,
            "anthropic": self.anthropic_model,
            "groq": self.groq_model,
            "gemini": self.gemini_model,
            "ollama": self.ollama_model,
        }
        return {provider: model for provider, model in models.items() if model}


def comma_list(value: str) -> list[str]:
    """A comma-separated setting as a list, without blanks."""
    return [part.strip() for part in value.split(",") if part.strip()]


def check_model_ids(model_ids: list[str]) -> None:
    """Raise `ValueError` (a validation error) for a model id of no known provider."""
    for model_id in model_ids:
        try:
            parse_model_id(model_id)
        except UnknownProviderError as exc:
            raise ValueError(str(exc)) from None


def known_model_id(value: str | None) -> str | None:
    """A model setting checked: None when unset or empty, else a known provider's id."""
    if value:
        check_model_ids([value])
    return value or None
