"""Real ``bot serve`` and ``bot worker`` processes, for crash and ordering tests and benches.

Each process runs in its own session (process group), so a test can
``kill -9`` a server with everything it started, as a machine dying would.
On PostgreSQL each test gets a database of its own (a subprocess cannot be
handed the per-test schema the in-process tests use): `fresh_postgres`.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bot.testing.sms_bot import FROM_NUMBER, PUBLIC_URL
from channels.sms.testing import FakeTwilio, TwilioSigner, inbound_form

#: The checkout these modules run from: bot processes get it as PYTHONPATH, so they
#: import this tree (and its test doubles), not an installed copy.
ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def fresh_postgres(url: str) -> AsyncIterator[str]:
    """A new, empty database on the server of ``url`` (SQLAlchemy form); dropped after."""
    name = f"pipe_{uuid.uuid4().hex[:12]}"
    server = make_url(url).set(drivername="postgresql")
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with suppress(Exception):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def wait_for(condition: Callable[[], object], seconds: float = 90) -> bool:
    """Poll ``condition`` (sync, or returning an awaitable) until true or ``seconds`` pass."""
    for _ in range(int(seconds / 0.1)):
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return True
        await asyncio.sleep(0.1)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pipeline_env(database_url: str, fake: FakeTwilio, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process: SMS to ``fake``, quick dead-worker detection."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AI_", "DATABASE_"))}
    return {
        **clean,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "AI_PROVIDER": "function:bot.testing.slow_replies:slow_echo",
        "ROUTER_EMBEDDINGS": "false",
        "ROUTER_MIN_CONFIDENCE": "0",
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_API_BASE_URL": fake.url,
        # A dead worker's jobs come back within seconds, not the production half-minute.
        "WORKER_HEARTBEAT_S": "0.5",
        "STALLED_AFTER_S": "2",
        "STALLED_CHECK_S": "1",
        "WORKER_POLL_S": "0.5",
        # Several workers run on this one machine: no fixed /metrics port to fight over.
        "WORKER_METRICS_PORT": "0",
        # One customer's 20 quick texts are the point of the order tests, not a flood.
        "INBOUND_BURST_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
        "HOME": str(tmp),
        **extra,
    }


@dataclass
class BotProcess:
    """A running ``bot`` process group and, for ``serve``, its URL."""

    process: subprocess.Popen[bytes]
    url: str | None
    log: Path

    def kill(self) -> None:
        """SIGKILL the whole process group: nothing gets to clean up."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> None:
        """SIGTERM the process group and return at once (see `stop` to wait)."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self, seconds: float = 30) -> int:
        """SIGTERM, as a deployment stops a process; its exit status."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9


async def start_bot(args: list[str], env: dict[str, str], tmp: Path, name: str) -> BotProcess:
    """Start ``python -m bot ARGS``; for ``serve``, wait until /healthz answers."""
    log = tmp / f"{name}.log"
    url = None
    if args[0] == "serve":
        port = free_port()
        args = [*args, "--port", str(port)]
        url = f"http://127.0.0.1:{port}"
    bot = BotProcess(_spawn(args, env, tmp, log), url, log)
    if url is not None:
        await _wait_healthy(bot)
    return bot


def _spawn(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    # A session of its own: killpg reaches uvicorn's worker processes too.
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def _wait_healthy(bot: BotProcess, seconds: float = 60) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(int(seconds / 0.1)):
            if bot.process.poll() is not None:
                raise RuntimeError(f"bot exited: {bot.log.read_text()[-3000:]}")
            with suppress(httpx.HTTPError):
                if (await http.get(f"{bot.url}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"bot not healthy: {bot.log.read_text()[-3000:]}")


@dataclass
class Texter:
    """Posts signed SMS webhooks to a server, as Twilio does."""

    http: httpx.AsyncClient
    signer: TwilioSigner

    async def text(self, url: str, body: str, *, sender: str, sid: str | None = None) -> int:
        """Post one text; the HTTP status (0 when the server was gone)."""
        form = inbound_form(body, sender=sender, sid=sid, to=FROM_NUMBER)
        try:
            response = await self.http.post(
                f"{url}/sms/inbound", data=form, headers=self.signer.headers("/sms/inbound", form)
            )
        except httpx.HTTPError:
            return 0
        return response.status_code


def texter(http: httpx.AsyncClient, fake: FakeTwilio) -> Texter:
    return Texter(http, TwilioSigner(fake.auth_token, PUBLIC_URL))
