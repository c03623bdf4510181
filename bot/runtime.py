"""`Runtime`: the bot's parts wired together from `Settings`.

Every entry point (CLI, HTTP app, benchmarks, tests) builds one `Runtime`;
tests and benchmarks pass their own provider or channels instead of patching.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from agents.business import BusinessProfile
from agents.catalog import build_agents
from agents.providers.base import ModelProvider
from agents.providers.factory import ProviderFactory
from agents.router import KeywordRouter, Router
from bot.alerts import LogAlertSink
from bot.budget import BudgetMonitor
from bot.orchestrator import Orchestrator
from bot.settings import Settings
from channels.base import Channel
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.db import Database
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
    ) -> Runtime:
        """Build the parts and, unless told not to, migrate the database.

        ``provider``, ``router``, ``channels`` and ``db`` replace the parts the
        settings would build: tests and benchmarks inject doubles this way.
        """
        db = db or Database(settings.database_url)
        if migrate:
            await db.migrate()
        contacts = ContactDirectory(db, default_region=settings.phone_default_region)
        conversations = ConversationStore(db, contacts)
        # Alerts go to the log; the Slack ops channel (issue #4) will be one more sink here.
        budget = BudgetMonitor.from_settings(db, settings, sinks=[LogAlertSink()])
        providers = ProviderFactory(
            settings.provider_settings(), spend_gate=budget, pair_log=TutorPairStore(db)
        )
        try:
            await budget.refresh()
            agent_providers = {} if provider else _agent_providers(providers)
            provider = provider or providers.default()
        except Exception:
            await db.dispose()
            raise
        business = BusinessProfile.from_folder(settings.business_dir)
        orchestrator = Orchestrator(
            conversations=conversations,
            router=router or KeywordRouter(),
            agents=build_agents(business, history_chars=settings.history_chars),
            provider=provider,
            agent_providers=agent_providers,
            channels=channels,
            history_limit=settings.history_limit,
            max_message_chars=settings.max_message_chars,
            budget=budget,
        )
        log.info("bot ready: %s, model %s", db.dialect, provider.model_id)
        return cls(
            settings=settings,
            db=db,
            contacts=contacts,
            conversations=conversations,
            providers=providers,
            provider=provider,
            orchestrator=orchestrator,
            business=business,
            budget=budget,
        )

    async def aclose(self) -> None:
        """Close providers and the database pool."""
        await self.providers.aclose()
        await self.db.dispose()


def _agent_providers(providers: ProviderFactory) -> dict[str, ModelProvider]:
    """The agents whose AGENT_MODEL_<NAME> is set, with their own model chains."""
    return {
        role.removeprefix("agent."): providers.for_role(role)
        for role in providers.settings.role_models
        if role.startswith("agent.")
    }
