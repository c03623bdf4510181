"""`Runtime`: the bot's parts wired together from `Settings`.

Every entry point (CLI, HTTP app, benchmarks, tests) builds one `Runtime`;
tests and benchmarks pass their own provider or channels instead of patching.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from agents.business import BusinessProfile
from agents.catalog import build_agents
from agents.compare.briefing import business_briefing
from agents.operations.reports import OpsReports
from agents.providers.base import ModelProvider
from agents.providers.factory import ProviderFactory
from agents.routing import build_router
from agents.routing.base import Router
from agents.tools import AgentTools
from bot.commands import CommandRegistry, TeamPolicy, builtin_commands
from bot.compare.service import CompareService
from bot.costs.alerts import LogAlertSink
from bot.costs.budget import BudgetMonitor
from bot.costs.send_costs import SendCosts
from bot.enrich.service import EnrichService
from bot.features import feature_commands
from bot.followups.runner import FollowUpRunner
from bot.handoff.clarify import Clarifier
from bot.handoff.desk import HandoffDesk
from bot.handoff.ops_channel import connect_ops_channel
from bot.observability import tracing
from bot.orchestrator import Orchestrator
from bot.pipeline.inbox import BotInbox
from bot.pipeline.sweep import sweep_unanswered
from bot.pipeline.worker import MessageWorker
from bot.preflight import preflight
from bot.retention import RETENTION_INTERVAL_S, retention_round
from bot.settings import Settings
from bot.wiring.channels import ChannelSet, build_channels
from bot.wiring.followups import followup_runner, lead_book
from bot.wiring.jobs import Engine, build_jobs
from bot.wiring.knowledge import knowledge_base
from bot.wiring.models import provider_settings
from bot.wiring.services import budget_monitor, compare_service, enrich_service, inbound_limiter
from channels.base import Channel
from memory.bookings import BookingStore
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database
from memory.pipeline import PipelineStore
from memory.send_costs import SendCostStore
from memory.spend import SpendLedger
from memory.tutor_pairs import TutorPairStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Settings, database, stores, model provider and orchestrator of one process."""

    settings: Settings
    db: Database
    contacts: ContactDirectory
    conversations: ConversationStore
    providers: ProviderFactory
    provider: ModelProvider
    orchestrator: Orchestrator
    business: BusinessProfile
    #: The month's spend, the hard cap (the providers' spend gate) and the growth alerts.
    budget: BudgetMonitor
    #: Where channel adapters hand what they receive.
    inbox: BotInbox
    #: The channel adapters that are on, and why the others are off.
    channels: ChannelSet
    #: /compare: several models at once, ranked and stored (also the HTTP API and CLI).
    compare: CompareService
    #: /enrich: research a contact and score the lead (also the HTTP API and CLI).
    enrich: EnrichService
    #: Lead follow-ups: ``bot followups run``; the periodic round (a job on PostgreSQL).
    followups: FollowUpRunner | None = None

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        provider: ModelProvider | None = None,
        router: Router | None = None,
        channels: Mapping[str, Channel] | None = None,
        db: Database | None = None,
        migrate: bool = True,
        engine: Engine = "auto",
        worker: bool | None = None,
    ) -> Runtime:
        """Build the parts and, unless told not to, migrate the database.

        ``provider``, ``router``, ``channels`` and ``db`` replace the parts the
        settings would build: tests and benchmarks inject doubles this way.
        Channel adapters are built for every channel whose credentials are set
        and that ``channels`` does not name; `start_channels` starts their loops.

        ``engine`` picks the job engine (`bot.wiring.jobs`); ``worker``
        (SERVE_WORKER by default) answers jobs in this process. On SQLite the
        answers always run here, after a sweep of what a previous run left.
        """
        db = db or Database(settings.database_url, pool_size=settings.database_pool_size)
        if migrate:
            await db.migrate()
        contacts = ContactDirectory(db, default_region=settings.phone_default_region)
        conversations = ConversationStore(db, contacts)
        budget = budget_monitor(db, settings, sinks=[LogAlertSink()])
        providers = ProviderFactory(
            provider_settings(settings), spend_gate=budget, pair_log=TutorPairStore(db)
        )
        try:
            # One check of every configured model (retired, retiring, keyless) before answering.
            preflight(settings, providers)
            await budget.refresh()
            agent_providers = {} if provider else _agent_providers(providers)
            provider = provider or providers.default()
        except Exception:
            await db.dispose()
            raise
        business = BusinessProfile.from_folder(settings.business_dir)
        team = TeamPolicy(settings.team_telegram_id_set())
        # Each agent tool's store; an unset one leaves its agent answering from the model.
        tools = AgentTools()
        # The business's documents (BUSINESS_DIR *.md, *.txt): re-read only when changed.
        tools.knowledge = tracing.traced_knowledge(await knowledge_base(db, settings))
        # Kept by their own types too: the follow-up runner and the reports use more
        # of them than the agents' protocols (agents.tools) name.
        tools.leads = leads = lead_book(db, settings)
        tools.bookings = bookings = BookingStore(db, contacts, time_zone=settings.business_zone())
        tools.reports = OpsReports(
            bookings=bookings,
            spend=SpendLedger(db),
            leads=leads,
            monthly_budget_usd=settings.monthly_budget_usd,
        )
        seen = bool(settings.admin_api_token)  # the team console (/admin) lists handoffs
        orchestrator = Orchestrator(
            conversations=conversations,
            router=router
            or build_router(settings.business_dir, embeddings=settings.router_embeddings),
            agents=build_agents(
                business,
                history_chars=settings.history_chars,
                tools=tools,
                extractive_models=[
                    p.strip() for p in settings.answer_extractive_models.split(",") if p.strip()
                ],
            ),
            provider=provider,
            agent_providers=agent_providers,
            channels=channels,
            history_limit=settings.history_limit,
            max_message_chars=settings.max_message_chars,
            budget=budget,
            team=team,
            clarifier=Clarifier(settings.router_min_confidence),
            handoffs=HandoffDesk(conversations, contact_line=business.contact_line, console=seen),
        )
        compare = compare_service(
            settings, db=db, providers=providers, conversations=conversations, budget=budget
        )
        compare.briefing = business_briefing(
            name=business.name, summary=business.summary, retriever=tools.knowledge
        )
        enrich = enrich_service(
            settings,
            contacts=contacts,
            db=db,
            providers=providers,
            conversations=conversations,
            budget=budget,
        )
        # The features' commands join once the runtime they are built from exists (below).
        commands = CommandRegistry(builtin_commands(), team=team)
        jobs = build_jobs(db, settings, engine)
        inbox = BotInbox(
            orchestrator=orchestrator,
            commands=commands,
            contacts=contacts,
            conversations=conversations,
            jobs=jobs,
            sms_help_text=settings.sms_help_text,
            # Strangers must not run up the bill: per-sender limits, and SMS sends as spend.
            limits=inbound_limiter(db, settings, team=team, alerts=budget.alerts),
            send_costs=SendCosts(
                SendCostStore(db),
                price_per_segment_usd={"sms": settings.sms_price_per_segment_usd},
                budget=budget,
            ),
        )
        pipeline = PipelineStore(db, conversations)
        jobs.handler = MessageWorker(
            inbox=inbox, store=pipeline, history_limit=settings.history_limit
        ).answer
        # Channels whose credentials are set; injected ones (tests) take their place.
        channel_set = build_channels(settings, inbox, skip=set(channels or ()))
        for name, adapter in channel_set.adapters.items():
            orchestrator.outbox.register(name, adapter.channel)
        connect_ops_channel(settings, orchestrator, budget.alerts)
        followups = followup_runner(settings, orchestrator, leads)
        runtime = cls(
            settings=settings,
            db=db,
            contacts=contacts,
            conversations=conversations,
            providers=providers,
            provider=provider,
            orchestrator=orchestrator,
            business=business,
            budget=budget,
            inbox=inbox,
            channels=channel_set,
            compare=compare,
            enrich=enrich,
            followups=followups,
        )
        for command in feature_commands(runtime):
            commands.add(command)
        await runtime._start_work(pipeline, worker=worker)
        log.info(
            "bot ready: %s, model %s, channels %s",
            db.dialect,
            provider.model_id,
            ", ".join(sorted(orchestrator.outbox.channels)) or "none",
        )
        return runtime

    async def _start_work(self, pipeline: PipelineStore, *, worker: bool | None) -> None:
        """Schedule the periodic jobs and answer what waits: a worker here, or a sweep."""
        settings, jobs = self.settings, self.inbox.jobs
        if jobs.durable and settings.followup_interval_s > 0 and self.followups is not None:
            # A periodic job: once per tick across all workers, one round at a time.
            jobs.every(
                "followups",
                settings.followup_interval_s,
                partial(self.followups.run, recover=True),
            )
        if jobs.durable and settings.retention_days > 0:
            jobs.every(
                "retention",
                RETENTION_INTERVAL_S,
                partial(retention_round, db=self.db, days=settings.retention_days),
            )
        if jobs.durable:
            if settings.serve_worker if worker is None else worker:
                await jobs.start_worker()
        else:
            await sweep_unanswered(
                store=pipeline,
                jobs=jobs,
                channels=list(self.orchestrator.outbox.channels),
                hours=settings.answer_sweep_hours,
            )

    async def start_channels(self) -> None:
        """Start the channels' own loops (Telegram polling, Slack Socket Mode)."""
        for adapter in self.channels.adapters.values():
            await adapter.start()

    async def aclose(self, *, drain_seconds: float = 30.0, keep_database: bool = False) -> None:
        """Finish answers in progress, then close channels, providers and the database.

        ``keep_database`` leaves the pool open for a caller that owns the
        database (tests run several runtimes on one).
        """
        # Answers in progress finish (or, with a job engine, go back to the queue).
        await self.inbox.jobs.aclose(drain_seconds=drain_seconds)
        for adapter in self.channels.adapters.values():
            try:
                await adapter.aclose()
            except Exception:
                log.exception("closing the %s channel failed", adapter.name)
        await self.compare.aclose()
        await self.enrich.aclose()
        await self.providers.aclose()
        if not keep_database:
            await self.db.dispose()


def _agent_providers(providers: ProviderFactory) -> dict[str, ModelProvider]:
    """The agents whose AGENT_MODEL_<NAME> is set, with their own model chains."""
    return {
        role.removeprefix("agent."): providers.for_role(role)
        for role in providers.settings.role_models
        if role.startswith("agent.")
    }
