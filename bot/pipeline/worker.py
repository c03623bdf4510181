"""`MessageWorker`: answers one stored message, by id, at most once.

A job may run twice (its first worker died, or was stopped mid-answer); the
message must not be answered twice. So the worker reads everything from the
database and checks what an earlier run left:

- the message's job finished (``handled_at``): nothing to do;
- a reply is stored: the earlier run got that far. A ``pending`` reply was
  never handed to the channel and is sent now; one caught ``sending`` may
  have reached the person and is recorded as ``unknown``, not sent again;
- nothing stored yet: answer it now.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.observability import json_logs, tracing
from bot.pipeline.codec import incoming_from_json
from channels.base import IncomingMessage
from memory.pipeline import PENDING, SENDING, UNKNOWN, PipelineStore, StoredIncoming

if TYPE_CHECKING:
    from bot.orchestrator import Reply
    from bot.pipeline.inbox import BotInbox

log = logging.getLogger(__name__)


class MessageWorker:
    """What a job runs: `answer` a message id."""

    def __init__(self, *, inbox: BotInbox, store: PipelineStore, history_limit: int) -> None:
        self.inbox = inbox
        self.store = store
        self.history_limit = history_limit

    async def answer(self, message_id: int) -> Reply | None:
        """Answer ``message_id`` unless an earlier run of its job did; the `Reply` if any."""
        stored = await self.store.load(message_id, history_limit=self.history_limit)
        if stored is None:
            log.warning("message %s is not stored (its transaction rolled back)", message_id)
            return None
        recorded = stored.recorded
        json_logs.bind(
            message_id=message_id,
            conversation_id=recorded.conversation_id,
            channel=recorded.channel,
        )
        # The span continues the trace stored with the message (its deliver span).
        with tracing.span("answer", parent=stored.meta.get("trace"), message_id=message_id):
            return await self._answer(message_id, stored)

    async def _answer(self, message_id: int, stored: StoredIncoming) -> Reply | None:
        if stored.handled:
            log.info("message %s was answered before: not again", message_id)
            return None
        if "incoming" not in stored.meta:
            log.warning("message %s predates the pipeline: left unanswered", message_id)
            await self.store.mark_handled(message_id)
            return None
        incoming = incoming_from_json(
            stored.meta["incoming"],
            channel=stored.recorded.channel,
            text=stored.text,
            external_id=stored.external_id,
        )
        reply = None
        if stored.replies:
            await self._finish_earlier_run(stored, incoming)
        else:
            reply = await self.inbox.answer(incoming, stored.recorded)
        await self.store.mark_handled(message_id)
        return reply

    async def _finish_earlier_run(self, stored: StoredIncoming, incoming: IncomingMessage) -> None:
        for reply in stored.replies:
            if reply.send_state == PENDING:
                log.info("reply %s was stored, never sent: sending it", reply.message_id)
                await self.inbox.orchestrator.outbox.resume(incoming, reply.message_id, reply.text)
            elif reply.send_state == SENDING:
                # The vendors take no idempotency key: a second send could be a second text.
                await self.store.set_send_state(reply.message_id, UNKNOWN, only_from=SENDING)
                log.warning(
                    "reply %s was being sent when its worker died: outcome unknown, not re-sent",
                    reply.message_id,
                )
