"""`Settings`: every setting of the bot, read from the environment and ``.env``.

Each group of settings is declared once, in a module of this package: `core`
(database, business, history, the API's tokens), `models`, `channels`,
`agents` (routing, knowledge, follow-ups, privacy), `commands` (/compare,
/enrich), `limits` (budget, inbound limits, SMS prices), `pipeline` and
`operations`. `Settings` reads them all, and adds what spans groups.

A bad value stops the bot at start with one line naming the setting
(`SettingsError`), never with a traceback from deep inside a request.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from agents.providers.resilience import RetryPolicy, Timeouts
from agents.providers.settings import ProviderSettings
from bot.errors import SettingsError
from bot.settings.agents import AgentWorkSettings
from bot.settings.channels import ChannelSettings
from bot.settings.commands import CommandSettings
from bot.settings.core import SAMPLE_BUSINESS_DIR, CoreSettings
from bot.settings.limits import LimitSettings
from bot.settings.models import ModelSettings, comma_list
from bot.settings.operations import OpsSettings
from bot.settings.pipeline import PipelineSettings

__all__ = ["SAMPLE_BUSINESS_DIR", "Settings", "get_settings", "load_settings"]


# Fields are collected from the last base to the first: core first in .env.example.
class Settings(
    OpsSettings,
    PipelineSettings,
    LimitSettings,
    ChannelSettings,
    CommandSettings,
    AgentWorkSettings,
    ModelSettings,
    CoreSettings,
):
    """The bot's configuration. Environment variables are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

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
            fallbacks=tuple(comma_list(self.ai_fallbacks)),
            last_resort=None if last_resort.lower() in {"", "none"} else last_resort,
            hybrid_student=self.hybrid_student,
            hybrid_teacher=self.hybrid_teacher,
            confidence_high=self.confidence_threshold_high,
            confidence_low=self.confidence_threshold_low,
            role_models=self.role_models(),
            pii_scrub_cloud=self.pii_scrub_cloud,
            phone_region=self.phone_default_region,
        )

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
