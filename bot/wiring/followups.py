"""The lead book and the follow-up runner as the settings describe them (for `bot.runtime`)."""

from __future__ import annotations

from datetime import timedelta

from agents.lead_nurturing.agent import LeadNurturingAgent
from bot.followups.quiet_hours import QuietHours
from bot.followups.runner import FollowUpRunner
from bot.orchestrator import Orchestrator
from bot.settings import Settings
from memory.db import Database
from memory.followups import FollowUpStore
from memory.leads import LeadBook


def lead_book(db: Database, settings: Settings) -> LeadBook:
    """The lead book of the lead agent, planning follow-ups as the settings say."""
    return LeadBook(
        db,
        followups=FollowUpStore(db),
        followup_delay=timedelta(hours=settings.followup_delay_hours),
        followup_max=settings.followup_max_per_contact,
    )


def followup_runner(
    settings: Settings, orchestrator: Orchestrator, leads: LeadBook
) -> FollowUpRunner:
    """The runner of ``bot followups run`` and ``bot serve``'s periodic job."""
    agent = orchestrator.agents[LeadNurturingAgent.name]
    assert isinstance(agent, LeadNurturingAgent)
    return FollowUpRunner(
        followups=leads.followups or FollowUpStore(leads.db),
        leads=leads,
        outbox=orchestrator.outbox,
        agent=agent,
        provider=orchestrator.provider_for(agent.name),
        quiet_hours=QuietHours.parse(settings.quiet_hours),
        default_time_zone=settings.business_zone(),
        max_per_contact=settings.followup_max_per_contact,
        delay=timedelta(hours=settings.followup_delay_hours),
    )
