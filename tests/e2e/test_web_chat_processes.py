"""The web chat under real processes: ``bot serve`` streams a reply that a separate
``bot worker`` process wrote (PostgreSQL), or that it answered itself (SQLite), and its
access log shows the stream's URL with the visitor token hidden."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.testing.processes import pipeline_env, start_bot, wait_for
from channels.sms.testing import run_fake_twilio
from tests.support.postgres import database_url
from tests.support.web_bot import ORIGIN, SECRET

pytestmark = pytest.mark.slow_process

QUESTION = "When do you open?"


async def read_reply(http: httpx.AsyncClient, url: str, token: str) -> list[str]:
    """The sentences of the first reply on the visitor's stream."""
    sentences: list[str] = []
    async with http.stream("GET", f"{url}/web/v1/stream", params={"token": token}) as answer:
        assert answer.status_code == 200
        event = ""
        async for line in answer.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "sentence":
                text = httpx.Response(200, content=line[6:]).json()["text"]
                if text:  # an empty last event only marks the end of a streamed reply
                    sentences.append(text)
                if '"last": true' in line:
                    return sentences
    return sentences


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_the_stream_shows_a_reply_written_by_another_process(kind: str, tmp_path: Path):
    async with (
        database_url(kind, tmp_path) as url,
        run_fake_twilio() as twilio,
        httpx.AsyncClient(timeout=60) as http,
    ):
        env = pipeline_env(
            url,
            twilio,
            tmp_path,
            WEB_CHAT_SECRET=SECRET,
            WEB_CHAT_ORIGINS=ORIGIN,
            SLOW_REPLY_S="0.2",
            LOG_LEVEL="INFO",  # uvicorn's access log
        )
        postgres = kind == "postgresql"
        serve = await start_bot(
            ["serve", "--no-worker"] if postgres else ["serve"], env, tmp_path, "serve"
        )
        worker = await start_bot(["worker"], env, tmp_path, "worker") if postgres else None
        try:
            session = await http.post(f"{serve.url}/web/v1/session", headers={"Origin": ORIGIN})
            token = session.json()["token"]
            sent = await http.post(
                f"{serve.url}/web/v1/messages",
                json={"text": QUESTION},
                headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"},
            )
            assert sent.status_code == 202
            assert await read_reply(http, serve.url, token) == [f"Re: {QUESTION}"]

            def logged() -> bool:
                return "/web/v1/stream?token=[REDACTED]" in serve.log.read_text()

            assert await wait_for(logged, 10), serve.log.read_text()[-2000:]
            assert token not in serve.log.read_text()
        finally:
            if worker is not None:
                worker.stop()
            serve.stop()
