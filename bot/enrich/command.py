"""The /enrich chat command: a contact named by name, e-mail, phone or @user, researched."""

from __future__ import annotations

import logging
from dataclasses import replace

from agents.errors import AgentError
from bot.commands.registry import Command, CommandContext
from bot.enrich.render import ambiguous_message, enrichment_message
from bot.enrich.service import EnrichService
from bot.enrich.target import USAGE, Target, TargetError, split_flags
from channels.base import OutgoingMessage
from memory.addresses import EMAIL
from memory.contacts import Address
from memory.enrichment_records import AmbiguousContactError, ContactNotFoundError

log = logging.getLogger(__name__)


async def _enrich(context: CommandContext, service: EnrichService) -> None:
    text, refresh = split_flags(context.arguments)
    try:
        target = service.parse(text)
        target, aliases = await _with_channel_profile(context, target)
        record = await service.locate(target, aliases=aliases)
    except TargetError as exc:
        usage = "" if str(exc) == USAGE else f"\n{USAGE}"
        await context.reply(OutgoingMessage(f"{exc}{usage}", private=True))
        return
    except ContactNotFoundError as exc:
        await context.reply(OutgoingMessage(f"Sorry, {exc}.\n{USAGE}", private=True))
        return
    except AmbiguousContactError as exc:
        await context.reply(ambiguous_message(exc))
        return
    name = record.name or target.describe()
    try:
        enrichment = await service.enrich_record(record, refresh=refresh)
    except AgentError as exc:
        log.warning("/enrich %s failed: %s", record.id, exc)
        await context.reply(
            OutgoingMessage(f"I could not research {name} just now: {exc}", private=True)
        )
        return
    await context.reply(enrichment_message(enrichment, name=name))


async def _with_channel_profile(
    context: CommandContext, target: Target
) -> tuple[Target, list[Address]]:
    """``target`` named from its channel profile, and the profile's e-mail as an alias.

    ``/enrich @jane`` on Slack names a Slack user: their profile gives a full
    name and (with ``users:read.email``) an e-mail, whose domain tells
    research which company to look at.
    """
    channel = context.orchestrator.outbox.channel(context.incoming.channel)
    if channel is None or target.address is None or target.address[0] != context.incoming.channel:
        return target, []
    person = await channel.person(target.address[1])
    if person is None:
        return target, []
    named = replace(target, name=person.name or target.name)
    return named, [(EMAIL, person.email.lower())] if person.email else []


def enrich_commands(service: EnrichService) -> list[Command]:
    """The /enrich command (team members only)."""

    async def run(context: CommandContext) -> None:
        await _enrich(context, service)

    return [
        Command(
            "enrich",
            "research a contact and score them as a lead",
            run,
            usage="<name, e-mail, phone or @user> [--refresh]",
            ack_text="Researching…",
            team_only=True,
        )
    ]
