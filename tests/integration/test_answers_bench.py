"""bench/answers.py on the embedded model: the dev probe set's floors, measured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.embedded_model
def test_the_embedded_model_answers_the_probe_set_from_the_documents(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.answers",
            "--file",
            str(ROOT / "bench/data/answers-extra.jsonl"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result = json.loads(out.stdout.splitlines()[0])
    right, facts = map(int, result["facts_right"].split("/"))
    declined, unknowns = map(int, result["unknowns_declined"].split("/"))
    # Measured 2026-12-03 on a 2-core machine (load 3): 18/18 and 7/7, no invented
    # amount (2026-12-02: 16/18 on a cold cache; the bench now waits for the router's
    # vectors). One miss of margin for another llama.cpp build's vectors.
    assert right >= facts - 1, result["wrong"]
    assert declined == unknowns, result["wrong"]
    assert result["invented_amounts"] == 0, result["wrong"]


@pytest.mark.embedded_model
def test_the_embedded_model_keeps_conversations_and_lead_openings_moving(tmp_path):
    empty = tmp_path / "none.jsonl"
    empty.write_text("")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.answers",
            "--file",
            str(empty),
            "--conversations",
            "--openings",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    talks = next(line for line in lines if line.get("bench") == "conversations")
    openings = next(line for line in lines if line.get("bench") == "lead-openings")
    # Measured 2026-12-03 on a busy 2-core machine (load 3 to 12), vectors cached: no
    # repeated reply, 10/10 facts in context (7-8/10 alone: "how much would that cost?"
    # needs the guests given earlier); 12 of 14 openings ask the next field (two routed
    # to a clarifying question), none repeats the customer, apologises or asks again.
    assert talks["repeated"] == 0, lines
    in_context, asked = map(int, talks["facts_in_context"].split("/"))
    alone, _ = map(int, talks["facts_alone"].split("/"))
    assert in_context >= alone and in_context >= asked - 1, lines
    assert int(openings["asks_next_field"].split("/")[0]) >= 11, openings["wrong"]
    assert openings["repeats_customer"] == openings["apologises"] == 0, openings["wrong"]
    assert openings["asks_known_again"] == 0, openings["wrong"]
