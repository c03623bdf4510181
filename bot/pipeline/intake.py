"""Storing a message and scheduling its answer, as one step.

`store_and_schedule` is what a webhook's request does before it acknowledges:
the message, its answer job and (for STOP) the opt-out are written in one
transaction. Nothing slow happens here: no model, no send.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidMessageError
from bot.observability import json_logs, metrics, tracing
from bot.orchestrator import Orchestrator
from bot.pipeline.jobs import Jobs, answer_lock
from channels.base import OPT_OUT_COMMAND, IncomingMessage
from memory.contacts import ContactDirectory
from memory.conversations import RecordedMessage
from memory.errors import InvalidAddressError
from memory.one_statement_intake import LostRace

log = logging.getLogger(__name__)


async def store_and_schedule(
    incoming: IncomingMessage,
    *,
    orchestrator: Orchestrator,
    jobs: Jobs,
    contacts: ContactDirectory,
) -> RecordedMessage | None:
    """Store ``incoming`` and schedule its answer; None for a re-delivery.

    A STOP takes effect here, in the transaction that stores it: once the
    channel is acknowledged, no new send to that address starts (the outbox
    checks consent before each send). Its job still runs in the
    conversation's turn, and a START runs only there, so that "START" then
    "Now?" answers "Now?" opted in.
    """
    if jobs.intake is not None and not incoming.aliases:
        try:
            recorded = await _in_one_statement(incoming, orchestrator, jobs, contacts)
        except LostRace:
            log.info("a new %s sender raced itself: stored the long way", incoming.channel)
        else:
            if recorded is not None:
                metrics.received(incoming.channel)
            return recorded
    scheduled: list[int] = []

    async def on_stored(session: AsyncSession, message_id: int) -> None:
        json_logs.bind(message_id=message_id, channel=incoming.channel)
        tracing.annotate(message_id=message_id)
        if incoming.command == OPT_OUT_COMMAND:
            sender = incoming.sender
            await contacts.set_opted_out_in(session, sender, True)
            metrics.opted_out(incoming.channel)
        await jobs.schedule(session, message_id=message_id, lock=answer_lock(incoming))
        scheduled.append(message_id)

    try:
        # No history read here: the worker reads it when it answers, fresher.
        recorded = await orchestrator.record(incoming, on_stored=on_stored, history=False)
    except InvalidMessageError:
        metrics.refused(incoming.channel, "invalid")
        raise
    finally:
        for message_id in scheduled:
            jobs.stored(message_id)
    if recorded is not None:
        metrics.received(incoming.channel)
    return recorded


async def _in_one_statement(
    incoming: IncomingMessage, orchestrator: Orchestrator, jobs: Jobs, contacts: ContactDirectory
) -> RecordedMessage | None:
    """The PostgreSQL path: message, contact, conversation, opt-out and job in one statement
    (`memory.one_statement_intake`): three round trips instead of about nine."""
    assert jobs.intake is not None
    try:
        orchestrator.validate(incoming)
        [address] = contacts.normalise([incoming.sender])
    except InvalidAddressError as exc:
        metrics.refused(incoming.channel, "invalid")
        raise InvalidMessageError(f"bad sender: {exc}") from exc
    except InvalidMessageError:
        metrics.refused(incoming.channel, "invalid")
        raise
    stop = incoming.command == OPT_OUT_COMMAND
    recorded = await jobs.intake.store(
        channel=incoming.channel,
        conversation_key=incoming.conversation_key,
        address=address,
        text=incoming.text,
        external_id=incoming.external_id,
        display_name=incoming.sender_name,
        meta=orchestrator.stored_meta(incoming),
        stop=stop,
        job=jobs.job_to_defer(answer_lock(incoming)),
    )
    if recorded is None:
        log.info("duplicate delivery %s/%s ignored", incoming.channel, incoming.external_id)
        return None
    json_logs.bind(message_id=recorded.message_id, channel=incoming.channel)
    tracing.annotate(message_id=recorded.message_id)
    if stop:
        metrics.opted_out(incoming.channel)
    return recorded
