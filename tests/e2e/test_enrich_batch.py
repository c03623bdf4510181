"""Batch /enrich: 500 rows stopped half way and resumed without paying twice; bad rows.

In process: `EnrichBatch` on a runtime whose /enrich runs the lead function
model and the official Tavily SDK against the fake Tavily, counting what
each side was asked. Then the ``bot enrich`` command itself, in a subprocess.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agents.providers.function import FunctionProvider
from agents.research.testing import FakeTavily, page, running_fake_tavily
from bot.enrich.batch import BatchSummary, EnrichBatch, read_rows
from bot.runtime import Runtime
from bot.testing.served import running_runtime
from memory.db import Database
from tests.support.cli import bot_env, run_bot
from tests.support.enrich_bot import LEAD_MODEL, NEWS, enrich_settings, lead_model

ROWS = 500


@pytest.fixture
async def tavily() -> AsyncIterator[FakeTavily]:
    async with running_fake_tavily(results=[page(NEWS, "The team is hiring a caterer.")]) as fake:
        yield fake


@pytest.fixture
async def rt(
    database: Database, model: FunctionProvider, tavily: FakeTavily
) -> AsyncIterator[Runtime]:
    async with running_runtime(database, model, **enrich_settings(database, tavily)) as runtime:
        yield runtime


def write_csv(path: Path, rows: list[list[str]], header: tuple[str, ...]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def people(count: int) -> list[list[str]]:
    return [[f"Person {i}", f"person{i}@company{i % 40}.example"] for i in range(count)]


def records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


async def test_500_rows_stopped_half_way_resume_without_calling_the_model_again(
    rt: Runtime, tavily: FakeTavily, tmp_path: Path
):
    rows = read_rows(write_csv(tmp_path / "people.csv", people(ROWS), ("Name", "Email")))
    out = tmp_path / "results.jsonl"
    first = EnrichBatch(rt.enrich, out=out, concurrency=20)
    first.on_record = lambda _record: first.stop() if first.summary.done >= ROWS // 2 else None

    stopped = await first.run(rows)

    written = records(out)
    assert stopped.stopped and ROWS // 2 <= stopped.done < ROWS // 2 + 20  # + rows in flight
    assert len(written) == stopped.done and {r["status"] for r in written} == {"ok"}
    assert len(lead_model(rt).calls) == len(tavily.requests) == stopped.done

    resumed = await EnrichBatch(rt.enrich, out=out, concurrency=20).run(rows)

    assert resumed == BatchSummary(rows=ROWS, done=ROWS - stopped.done, resumed=stopped.done)
    assert len(lead_model(rt).calls) == len(tavily.requests) == ROWS  # each row paid once
    final = records(out)
    assert sorted(r["line"] for r in final) == list(range(2, ROWS + 2))
    assert all(r["enrichment"]["intent_signals"][0]["source_url"] == NEWS for r in final)


async def test_a_cancelled_batch_resumes_and_finished_rows_are_not_paid_again(
    rt: Runtime, tmp_path: Path
):
    rows = read_rows(write_csv(tmp_path / "people.csv", people(120), ("name", "email")))
    out = tmp_path / "results.jsonl"
    batch = EnrichBatch(rt.enrich, out=out, concurrency=10)
    task = asyncio.create_task(batch.run(rows))
    batch.on_record = lambda _record: task.cancel() if batch.summary.done == 60 else None

    with pytest.raises(asyncio.CancelledError):
        await task
    finished = len(records(out))
    calls_before = len(lead_model(rt).calls)
    with out.open("a", encoding="utf-8") as file:
        file.write('{"line": 999, "status": "o')  # a record torn by the interruption

    resumed = await EnrichBatch(rt.enrich, out=out, concurrency=10).run(rows)

    assert finished == 60 and resumed.resumed == finished
    # Rows cut off in flight may have been stored already: those are reused, not paid again.
    assert resumed.done + resumed.reused == 120 - finished
    assert len(lead_model(rt).calls) - calls_before == resumed.done
    assert len(records(out)) == 120  # the torn line was removed, every row written once


async def test_bad_rows_are_reported_with_their_line_and_skipped(rt: Runtime, tmp_path: Path):
    await rt.enrich.store.locate(addresses=[("email", "sam@one.example")], name="Sam Lee")
    await rt.enrich.store.locate(addresses=[("email", "sam@two.example")], name="Sam Lee")
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Name,E-mail,Phone,Slack,Notes\n"
        "Jane Doe,jane@acme.com,,,vip\n"  # 2
        "Bad Mail,jane@acme,,,\n"  # 3
        "Bad Phone,,+1 555,,\n"  # 4
        ",,,,only a note\n"  # 5
        "\n"  # 6: blank, nothing to say
        '"Ann\nMarie",,(555) 123-4567,,\n'  # 7-8: a quoted name over two lines
        "Sam Lee,,,,\n"  # 9: two contacts have this name
        ",,,<@U42ABC|kim>,\n",  # 10
        encoding="utf-8",
    )
    reported: list[dict[str, Any]] = []
    batch = EnrichBatch(rt.enrich, out=tmp_path / "out.jsonl", on_record=reported.append)

    summary = await batch.run(read_rows(path))

    assert summary == BatchSummary(rows=7, done=3, skipped_bad=4)
    by_line = {r["line"]: r for r in reported}
    assert sorted(by_line) == [2, 3, 4, 5, 7, 9, 10]
    assert by_line[3]["error"] == "Not an e-mail address: 'jane@acme'"
    assert by_line[4]["reason"] == "bad_row" and "phone" in by_line[4]["error"]
    assert by_line[5]["error"] == "no usable field (name, email, phone or slack)"
    assert by_line[9]["reason"] == "ambiguous" and "'Sam Lee'" in by_line[9]["error"]
    assert by_line[7]["input"] == {"name": "Ann\nMarie", "phone": "(555) 123-4567"}
    kim = await rt.enrich.store.locate(addresses=[("slack", "U42ABC")])
    assert kim.name == "kim" and kim.enrichment is not None


async def test_pacing_spaces_the_starts(rt: Runtime, tmp_path: Path):
    rows = read_rows(write_csv(tmp_path / "p.csv", people(4), ("name", "email")))
    started = asyncio.get_running_loop().time()

    await EnrichBatch(rt.enrich, out=tmp_path / "o.jsonl", max_per_minute=600).run(rows)

    # 600 a minute is one start every 0.1 s: four starts take at least 0.3 s.
    assert asyncio.get_running_loop().time() - started >= 0.3


def test_bot_enrich_csv_then_again_resumes_and_one_target_reads_the_store(tmp_path: Path):
    path = write_csv(
        tmp_path / "contacts.csv",
        [["Jane Doe", "jane@acme.com"], ["Bad", "jane@acme"], ["Sam", "sam@acme.com"]],
        ("name", "email"),
    )
    env = bot_env(tmp_path, ENRICH_MODEL=LEAD_MODEL, AI_LAST_RESORT="none")
    arguments = ["enrich", str(path), "--concurrency", "2", "--out", "results.jsonl"]

    first = run_bot(arguments, env, tmp_path)
    again = run_bot([*arguments, "--json"], env, tmp_path)
    one = run_bot(["enrich", "Jane@Acme.com", "--json"], env, tmp_path)

    assert first.returncode == 0, first.stderr
    assert f"{path}:3: Not an e-mail address: 'jane@acme'" in first.stderr
    assert first.stdout.startswith("3 rows: 2 enriched, 0 reused, 0 already done, 1 bad rows")
    assert json.loads(again.stdout) == {
        **BatchSummary(rows=3, resumed=2, skipped_bad=1).as_dict(),
        "out": "results.jsonl",
    }
    enrichment = json.loads(one.stdout)
    assert enrichment["cached"] is True and enrichment["research"] == "known_data"
    assert "TAVILY_API_KEY is not set" in " ".join(enrichment["notes"])
    with sqlite3.connect(tmp_path / "bot.db") as db:
        query = "select count(*) from model_calls where agent = '/enrich'"
        (calls,) = db.execute(query).fetchone()
    # Nothing known of either person beyond the CSV's address and no web research:
    # no evidence, so no model is paid to invent one (issue 17 §10).
    assert calls == 0 and enrichment["evidence"] is False
