"""``bot serve`` on PostgreSQL answers through a ``bot worker`` process of its own.

Real processes: the worker process is killed -9 and serve starts another (the
message sent meanwhile is answered once); serve itself is killed -9 and its
worker does not outlive it.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from bot.testing.processes import pipeline_env, start_bot, wait_for
from tests.e2e.test_pipeline_processes import harness

pytestmark = pytest.mark.slow_process


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


async def test_serve_restarts_a_killed_worker_process_and_takes_it_down_when_killed(
    tmp_path: Path,
):
    async with harness("postgresql", tmp_path) as (url, fake, sms):
        serve = await start_bot(["serve"], pipeline_env(url, fake, tmp_path), tmp_path, "serve")
        try:
            (worker,) = children(serve.process.pid)
            assert await sms.text(serve.url or "", "first", sender="+15550100001") == 200
            assert await wait_for(lambda: len(fake.messages) == 1, 30), serve.log.read_text()

            os.kill(worker, signal.SIGKILL)
            assert await sms.text(serve.url or "", "second", sender="+15550100002") == 200
            assert await wait_for(lambda: len(fake.messages) == 2, 60), serve.log.read_text()
            assert [m["Body"] for m in fake.messages] == ["Re: first", "Re: second"]
            (replacement,) = children(serve.process.pid)
            assert replacement != worker
            assert "starting another" in serve.log.read_text()

            serve.process.send_signal(signal.SIGKILL)  # serve alone, not its group
            serve.process.wait(10)
            assert await wait_for(lambda: not alive(replacement), 30)
        finally:
            serve.kill()
