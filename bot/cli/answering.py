"""Ctrl-C in `bot chat`: during an answer it stops that answer; at the prompt it ends the
chat cleanly. One answer runs under a typing indicator."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading

from bot.orchestrator import Reply
from bot.runtime import Runtime
from channels.base import IncomingMessage
from channels.console import ConsoleChannel
from memory.pipeline import PipelineStore

STOPPED = "stopped: that message is recorded as cancelled and will not be answered"


async def read_line(console: ConsoleChannel) -> str | None:
    """The next line typed at the prompt; None when Ctrl-C was pressed there.

    The prompt is read in a daemon thread, not the loop's executor: a chat left
    with Ctrl-C must not wait at exit for a line nobody will type.
    """
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str | None] = loop.create_future()

    def deliver(text: str | None) -> None:
        if not line.done():
            line.set_result(text)

    def read() -> None:
        text = console.prompt()
        with contextlib.suppress(RuntimeError):  # the chat ended while it was typed
            loop.call_soon_threadsafe(deliver, text)

    threading.Thread(target=read, name="chat-prompt", daemon=True).start()
    loop.add_signal_handler(signal.SIGINT, deliver, None)
    try:
        return await line
    finally:
        loop.remove_signal_handler(signal.SIGINT)


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
        # Back to the default until the prompt (`read_line`) takes Ctrl-C again.
        loop.remove_signal_handler(signal.SIGINT)


def _being_cancelled() -> bool:
    current = asyncio.current_task()
    return current is not None and current.cancelling() > 0
