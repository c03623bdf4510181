"""One answer in `bot chat`, under a typing indicator, that Ctrl-C stops without ending the chat."""

from __future__ import annotations

import asyncio
import signal

from bot.orchestrator import Reply
from bot.runtime import Runtime
from channels.base import IncomingMessage
from channels.console import ConsoleChannel
from memory.pipeline import PipelineStore

STOPPED = "stopped: that message is recorded as cancelled and will not be answered"


async def answer_stoppably(
    runtime: Runtime, console: ConsoleChannel, incoming: IncomingMessage
) -> Reply | None:
    """Record and answer ``incoming``; Ctrl-C meanwhile cancels this answer only.

    The cancelled message is marked handled (``meta.cancelled``), so no later
    start-up sweep (`bot.pipeline.sweep`) answers it behind the person's back.
    """
    orchestrator = runtime.orchestrator
    recorded = await orchestrator.record(incoming)
    if recorded is None:
        return None
    task = asyncio.create_task(
        orchestrator.answer(incoming, recorded, on_sentence=console.show_sentence)
    )
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, task.cancel)
    try:
        with console.typing():
            return await task
    except asyncio.CancelledError:
        if not task.cancelled() or _being_cancelled():
            raise  # the chat itself is ending, not this answer
        await PipelineStore(runtime.db, runtime.conversations).mark_cancelled(recorded.message_id)
        console.note(STOPPED)
        return None
    finally:
        # Back to the default: Ctrl-C at the prompt ends the chat, as before.
        loop.remove_signal_handler(signal.SIGINT)


def _being_cancelled() -> bool:
    current = asyncio.current_task()
    return current is not None and current.cancelling() > 0
