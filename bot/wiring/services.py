"""The services the settings describe, on the runtime's shared parts.

One function per service, so that the services themselves take plain values
and know nothing of `Settings` (tests build them directly).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from agents.business import BusinessProfile
from agents.enrich.enricher import Enricher
from agents.providers.factory import ProviderFactory
from agents.research.known import research_provider
from bot.compare.service import CompareService
from bot.costs.alerts import AlertLog, AlertSink
from bot.costs.budget import BudgetMonitor
from bot.enrich.service import EnrichService, offers_text
from bot.pipeline.inbound_limits import InboundLimiter
from bot.settings import Settings
from bot.team import TeamPolicy
from memory.compare import CompareStore
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database
from memory.enrichment import EnrichmentStore


def budget_monitor(
    db: Database, settings: Settings, *, sinks: Iterable[AlertSink] = ()
) -> BudgetMonitor:
    """MONTHLY_BUDGET_USD, BUDGET_HARD_CAP and CUSTOMER_ALERT_THRESHOLD."""
    return BudgetMonitor(
        db,
        monthly_budget_usd=settings.monthly_budget_usd,
        hard_cap=settings.budget_hard_cap,
        customer_alert_threshold=settings.customer_alert_threshold,
        sinks=sinks,
    )


def inbound_limiter(
    db: Database, settings: Settings, *, team: TeamPolicy, alerts: AlertLog
) -> InboundLimiter:
    """INBOUND_BURST_LIMIT, INBOUND_BURST_WINDOW_S, INBOUND_DAILY_LIMIT, INBOUND_LIMIT_CHANNELS."""
    return InboundLimiter(
        db,
        burst_limit=settings.inbound_burst_limit,
        burst_window_s=settings.inbound_burst_window_s,
        daily_limit=settings.inbound_daily_limit,
        channels=settings.inbound_limit_channel_set(),
        team=team,
        alerts=alerts,
    )


def compare_service(
    settings: Settings,
    *,
    db: Database,
    providers: ProviderFactory,
    conversations: ConversationStore,
    budget: BudgetMonitor | None,
) -> CompareService:
    """/compare as ``COMPARE_*`` describes it."""
    return CompareService(
        store=CompareStore(db),
        providers=providers,
        conversations=conversations,
        budget=budget,
        model_ids=settings.compare_model_ids(),
        judge_model=settings.compare_judge_model,
        timeout_s=settings.compare_timeout_s,
        deadline_s=settings.compare_deadline_s,
        max_tokens=settings.compare_max_tokens,
        rate_limit=settings.compare_rate_limit,
        cache_ttl_s=settings.compare_cache_ttl_s,
    )


def enrich_service(
    settings: Settings,
    *,
    db: Database,
    providers: ProviderFactory,
    contacts: ContactDirectory,
    conversations: ConversationStore,
    budget: BudgetMonitor | None,
) -> EnrichService:
    """/enrich as ENRICH_MODEL (or the default chain) and TAVILY_* describe it."""
    research = research_provider(
        settings.tavily_api_key,
        base_url=settings.tavily_base_url,
        max_results=settings.tavily_max_results,
    )
    business = BusinessProfile.from_folder(settings.business_dir)
    enricher = Enricher(providers.for_role("enrich"), research, offers=offers_text(business))
    return EnrichService(
        store=EnrichmentStore(db, contacts),
        enricher=enricher,
        research=research,
        conversations=conversations,
        budget=budget,
        max_age=timedelta(days=settings.enrich_max_age_days),
        default_region=settings.phone_default_region,
    )
