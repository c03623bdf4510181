"""Metrics across real processes: two uvicorn workers merged, and a worker's own port.

``bot serve --workers 2 --no-worker`` on PostgreSQL stores signed SMS webhooks
(the two uvicorn processes share the listening socket, so each takes some);
one ``bot worker`` answers them. ``/metrics`` on the web must report every
message received, whichever uvicorn process answers the scrape
(prometheus-client's multiprocess files, merged), and the worker's own
``WORKER_METRICS_PORT`` every reply sent.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from bot.testing.processes import free_port, pipeline_env, start_bot, texter, wait_for
from channels.sms.testing import run_fake_twilio
from tests.support.postgres import database_url

pytestmark = pytest.mark.slow_process

#: Texts sent at once; more waves follow until both uvicorn processes took some.
WAVE = 6
MOST = 60


def total(text: str, family: str) -> float:
    """The sum of a counter family's ``_total`` samples in an exposition."""
    return sum(
        sample.value
        for metric in text_string_to_metric_families(text)
        if metric.name == family
        for sample in metric.samples
        if sample.name == f"{family}_total"
    )


def received_per_process(folder: Path) -> list[float]:
    """Messages each web process counted, from its own multiprocess file."""
    counts = []
    for file in sorted(folder.glob("counter_*.db")):
        families = MultiProcessCollector.merge([str(file)])
        counts.append(
            sum(
                s.value
                for f in families
                if f.name == "bot_messages_received"
                for s in f.samples
                if s.name.endswith("_total")
            )
        )
    return counts


async def test_web_workers_merge_received_and_the_worker_port_counts_answers(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "prometheus"
    port = free_port()
    async with (
        database_url("postgresql", tmp_path) as url,
        run_fake_twilio() as fake,
        # A new connection per request: uvicorn's processes take turns accepting them.
        httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as http,
    ):
        env = pipeline_env(url, fake, tmp_path, SLOW_REPLY_S="0")
        serve = await start_bot(
            ["serve", "--workers", "2", "--no-worker"],
            {**env, "PROMETHEUS_MULTIPROC_DIR": str(shared)},
            tmp_path,
            "serve",
        )
        worker = await start_bot(
            ["worker"], {**env, "WORKER_METRICS_PORT": str(port)}, tmp_path, "w"
        )
        try:
            sms = texter(http, fake)
            sent = 0
            # The kernel hands each connection to one process; a wave may all go to one.
            while sent < MOST and sum(n > 0 for n in received_per_process(shared)) < 2:
                statuses = await asyncio.gather(
                    *(
                        sms.text(serve.url or "", f"question {n}", sender=f"+1555012{n:04d}")
                        for n in range(sent, sent + WAVE)
                    )
                )
                assert statuses == [200] * WAVE
                sent += WAVE
            assert await wait_for(lambda: len(fake.messages) >= sent, 120)
            scrapes = [(await http.get(f"{serve.url}/metrics")).text for _ in range(8)]
            worker_text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
        finally:
            serve.stop()
            worker.stop()

    # Both uvicorn processes stored messages, each counting in its own file.
    per_process = received_per_process(shared)
    print(f"{sent} texts; received per web process: {per_process}")
    assert len([n for n in per_process if n > 0]) == 2, per_process
    assert sum(per_process) == sent
    # Whichever process answered a scrape, it merged both processes' counts.
    assert [total(t, "bot_messages_received") for t in scrapes] == [sent] * len(scrapes)
    assert total(worker_text, "bot_messages_answered") == sent, worker_text[-3000:]
    # The web process answers nothing; the worker stores nothing.
    assert all(total(t, "bot_messages_answered") == 0 for t in scrapes)
    assert total(worker_text, "bot_messages_received") == 0
