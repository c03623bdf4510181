"""One SMS's trace across real processes: ``bot serve --no-worker`` and ``bot worker``.

Both export with ``OTEL_TRACES_EXPORTER=console`` (the SDK's own exporter,
JSON on stdout, here their logs; the batch processor, as in production). The
web process's ``deliver`` span and the worker's ``answer``, ``chat`` and
``send`` spans share one trace id: the context travelled in the stored
message, since the job carries only its id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.testing.processes import pipeline_env, start_bot, texter, wait_for
from channels.sms.testing import run_fake_twilio
from tests.support.postgres import database_url

pytestmark = pytest.mark.slow_process

PHONE = "+15550107777"


def spans_in(log: Path) -> list[dict[str, Any]]:
    """The JSON spans ConsoleSpanExporter wrote among a process's log lines."""
    text, decoder, found, at = log.read_text(), json.JSONDecoder(), [], 0
    while (at := text.find("{\n", at)) != -1:
        try:
            value, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            at += 1
            continue
        if isinstance(value, dict) and "context" in value:
            found.append(value)
        at = end
    return found


async def test_the_worker_process_continues_the_web_process_trace(tmp_path: Path) -> None:
    async with (
        database_url("postgresql", tmp_path) as url,
        run_fake_twilio() as fake,
        httpx.AsyncClient(timeout=10) as http,
    ):
        env = pipeline_env(
            url,
            fake,
            tmp_path,
            OTEL_TRACES_EXPORTER="console",
            OTEL_BSP_SCHEDULE_DELAY="100",
            OTEL_SERVICE_NAME="bot-test",
            WORKER_METRICS_PORT="0",  # no fixed port: other runs may hold 9464
        )
        serve = await start_bot(["serve", "--no-worker"], env, tmp_path, "serve")
        worker = await start_bot(["worker"], env, tmp_path, "worker")
        try:
            # Small talk: the model answers (a fact question may be answered in code).
            assert await texter(http, fake).text(serve.url or "", "hi there", sender=PHONE) == 200
            assert await wait_for(lambda: len(fake.messages) >= 1, 90)
            # The batch processor exports every 100 ms (OTEL_BSP_SCHEDULE_DELAY).
            assert await wait_for(lambda: "send" in {s["name"] for s in spans_in(worker.log)})
            assert await wait_for(lambda: "deliver" in {s["name"] for s in spans_in(serve.log)})
        finally:
            serve.stop()
            worker.stop()
    web, work = spans_in(serve.log), spans_in(worker.log)
    deliver = [s for s in web if s["name"] == "deliver"]
    assert len(deliver) == 1, serve.log.read_text()[-3000:]
    trace_id = deliver[0]["context"]["trace_id"]
    names = {s["name"] for s in work if s["context"]["trace_id"] == trace_id}
    assert {"answer", "route", "send"} <= names, (names, worker.log.read_text()[-3000:])
    assert any(name.startswith("chat ") for name in names), names
    assert deliver[0]["resource"]["attributes"]["service.name"] == "bot-test"
    for span in web + work:
        shown = json.dumps(span["attributes"])
        assert "5550107777" not in shown and "hi there" not in shown, span["name"]
