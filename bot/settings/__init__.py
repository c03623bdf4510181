"""`Settings`: every setting of the bot, read from the environment and ``.env``.

A bad value stops the bot at start with one line naming the setting
(`SettingsError`), never with a traceback from deep inside a request.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from agents.errors import UnknownProviderError
from agents.providers.factory import ProviderSettings, parse_model_id
from agents.providers.resilience import RetryPolicy, Timeouts
from bot.errors import SettingsError
from bot.settings.agents import AgentWorkSettings
from bot.settings.channels import ChannelSettings
from bot.settings.limits import LimitSettings
from bot.settings.models import ModelSettings
from bot.settings.operations import OpsSettings
from bot.settings.pipeline import PipelineSettings

SAMPLE_BUSINESS_DIR = Path(__file__).parents[1] / "sample"

# Plain driver names users paste from their host, mapped to the async drivers we use.
_URL_PREFIXES = {
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "sqlite://": "sqlite+aiosqlite://",
}
_SUPPORTED_URLS = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class Settings(
    ChannelSettings, AgentWorkSettings, ModelSettings, LimitSettings, PipelineSettings, OpsSettings
):
    """The bot's configuration. Environment variables are the upper-case field names.

    The channels' settings, those of the agents' work (routing, knowledge,
    follow-ups, privacy), the models', the inbound limits and SMS prices, and
    the pipeline's are declared in `bot.settings_channels`, `bot.settings_agents`,
    `bot.settings_models`, `bot.settings_limits` and `bot.settings_pipeline`;
    this class adds the rest and reads them all.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(
        "sqlite+aiosqlite:///./bot.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path.db or postgresql+asyncpg://...",
    )
    database_pool_size: int = Field(
        10,
        ge=1,
        le=500,
        description="PostgreSQL: connections each process keeps open (as many again in a burst).",
    )
    ai_provider: str = Field("local", description="Default model: a provider or provider:model.")
    local_model_path: Path | None = Field(None, description="A GGUF file to use instead.")
    local_max_concurrency: int = Field(2, ge=1, le=64)
    local_context_tokens: int = Field(2048, ge=256, le=32768)
    history_limit: int = Field(20, ge=0, le=500, description="Past messages read per reply.")
    history_chars: int = Field(2400, ge=0, description="Characters of history put in a prompt.")
    max_message_chars: int = Field(4000, ge=1, le=100_000)
    business_dir: Path = Field(SAMPLE_BUSINESS_DIR, description="business.yml and Markdown notes.")
    phone_default_region: str = Field("US", min_length=2, max_length=2)
    log_level: str = Field("INFO")

    # Cost and growth alerts.
    monthly_budget_usd: float = Field(500.0, ge=0)
    budget_hard_cap: bool = Field(False, description="Paid models refuse once it is spent.")
    customer_alert_threshold: int = Field(1000, ge=1)

    # Per-role models; unset means AI_PROVIDER's default.
    agent_model_lead_nurturing: str | None = None
    agent_model_customer_care: str | None = None
    agent_model_operations: str | None = None
    agent_model_knowledge: str | None = None
    enrich_model: str | None = None

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
    team_telegram_ids: str = Field(
        "", description="Telegram user ids allowed the team's commands (/compare, /enrich)."
    )

    # /enrich: research a contact and score the lead.
    tavily_api_key: str | None = Field(None, repr=False)
    tavily_base_url: str = Field("https://api.tavily.com", description="The Tavily API.")
    tavily_max_results: int = Field(5, ge=1, le=20)
    enrich_max_age_days: int = Field(30, ge=0, description="Enrichments reused this long.")

    api_token: str | None = Field(
        None, repr=False, min_length=16, description="Bearer token the /api/v1 routes require."
    )
    dev_skip_webhook_verification: bool = Field(
        False, description="Development only: accept unsigned webhooks (warns at start)."
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        for plain, async_prefix in _URL_PREFIXES.items():
            if value.startswith(plain):
                value = async_prefix + value[len(plain) :]
        if not value.startswith(_SUPPORTED_URLS):
            raise ValueError(f"must start with {' or '.join(_SUPPORTED_URLS)}")
        return value

    @field_validator(
        "ai_provider",
        "hybrid_student",
        "hybrid_teacher",
        "agent_model_lead_nurturing",
        "agent_model_customer_care",
        "agent_model_operations",
        "agent_model_knowledge",
        "compare_judge_model",
        "enrich_model",
    )
    @classmethod
    def _known_provider(cls, value: str | None) -> str | None:
        if value:
            _check_model_ids([value])
        return value or None

    @field_validator("ai_fallbacks", "compare_models")
    @classmethod
    def _known_providers(cls, value: str) -> str:
        _check_model_ids(_split(value))
        return value

    @field_validator("ai_last_resort")
    @classmethod
    def _last_resort(cls, value: str) -> str:
        if value.strip().lower() not in {"", "none"}:
            _check_model_ids([value])
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

    @field_validator("business_dir")
    @classmethod
    def _business_folder(cls, value: Path) -> Path:
        if not (value / "business.yml").is_file():
            raise ValueError(f"{value} has no business.yml")
        return value

    @field_validator("tavily_base_url")
    @classmethod
    def _tavily_without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    def provider_settings(self) -> ProviderSettings:
        """The part of the settings the model provider factory reads."""
        last_resort = self.ai_last_resort.strip()
        return ProviderSettings(
            default_provider=self.ai_provider,
            local_model_path=self.local_model_path,
            local_max_concurrency=self.local_max_concurrency,
            local_context_tokens=self.local_context_tokens,
            vendors=self.vendor_settings(),
            default_models=self.default_models(),
            models_file=self.models_file,
            timeouts=Timeouts(
                connect=self.ai_connect_timeout,
                total=self.ai_timeout,
                stream_idle=self.ai_stream_idle_timeout,
            ),
            retry=RetryPolicy(
                max_attempts=self.ai_max_attempts,
                max_retry_after=self.ai_max_retry_after,
                cooldown_seconds=self.ai_cooldown_seconds,
            ),
            fallbacks=tuple(_split(self.ai_fallbacks)),
            last_resort=None if last_resort.lower() in {"", "none"} else last_resort,
            hybrid_student=self.hybrid_student,
            hybrid_teacher=self.hybrid_teacher,
            confidence_high=self.confidence_threshold_high,
            confidence_low=self.confidence_threshold_low,
            role_models=self.role_models(),
            pii_scrub_cloud=self.pii_scrub_cloud,
            phone_region=self.phone_default_region,
        )

    def compare_model_ids(self) -> list[str]:
        """The models /compare asks, as written in ``COMPARE_MODELS``."""
        return _split(self.compare_models)

    def team_telegram_id_set(self) -> frozenset[str]:
        """The Telegram user ids in ``TEAM_TELEGRAM_IDS``."""
        return frozenset(_split(self.team_telegram_ids))

    def role_models(self) -> dict[str, str]:
        """Model ids by role, for the roles whose setting is set."""
        roles = {
            "agent.lead_nurturing": self.agent_model_lead_nurturing,
            "agent.customer_care": self.agent_model_customer_care,
            "agent.operations": self.agent_model_operations,
            "agent.knowledge": self.agent_model_knowledge,
            "judge": self.compare_judge_model,
            "enrich": self.enrich_model,
        }
        return {role: model_id for role, model_id in roles.items() if model_id}


def _split(value: str) -> list[str]:
    """A comma-separated setting as a list, without blanks."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_model_ids(model_ids: list[str]) -> None:
    for model_id in model_ids:
        try:
            parse_model_id(model_id)
        except UnknownProviderError as exc:
            raise ValueError(str(exc)) from None


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise `SettingsError` with one clear line when one is bad."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {name}: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
