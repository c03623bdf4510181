"""The model provider factory's settings, from the bot's settings."""

from __future__ import annotations

from agents.providers.resilience import RetryPolicy, Timeouts
from agents.providers.settings import ProviderSettings
from bot.settings import Settings
from bot.settings.models import comma_list


def provider_settings(settings: Settings) -> ProviderSettings:
    """The part of the settings the model provider factory reads."""
    last_resort = settings.ai_last_resort.strip()
    return ProviderSettings(
        default_provider=settings.ai_provider,
        local_model_path=settings.local_model_path,
        local_max_concurrency=settings.local_max_concurrency,
        local_context_tokens=settings.local_context_tokens,
        vendors=settings.vendor_settings(),
        default_models=settings.default_models(),
        models_file=settings.models_file,
        timeouts=Timeouts(
            connect=settings.ai_connect_timeout,
            total=settings.ai_timeout,
            stream_idle=settings.ai_stream_idle_timeout,
        ),
        retry=RetryPolicy(
            max_attempts=settings.ai_max_attempts,
            max_retry_after=settings.ai_max_retry_after,
            cooldown_seconds=settings.ai_cooldown_seconds,
        ),
        fallbacks=tuple(comma_list(settings.ai_fallbacks)),
        last_resort=None if last_resort.lower() in {"", "none"} else last_resort,
        hybrid_student=settings.hybrid_student,
        hybrid_teacher=settings.hybrid_teacher,
        confidence_high=settings.confidence_threshold_high,
        confidence_low=settings.confidence_threshold_low,
        role_models=role_models(settings),
        pii_scrub_cloud=settings.pii_scrub_cloud,
        phone_region=settings.phone_default_region,
    )


def role_models(settings: Settings) -> dict[str, str]:
    """Model ids by role, for the roles whose setting is set."""
    roles = {
        "agent.lead_nurturing": settings.agent_model_lead_nurturing,
        "agent.customer_care": settings.agent_model_customer_care,
        "agent.operations": settings.agent_model_operations,
        "agent.knowledge": settings.agent_model_knowledge,
        "judge": settings.compare_judge_model,
        "enrich": settings.enrich_model,
    }
    return {role: model_id for role, model_id in roles.items() if model_id}
