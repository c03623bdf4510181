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
    # Measured 2026-12-02 on a busy 2-core machine: 18/18 and 7/7 with the router's
    # vectors cached, 16/18 on a cold cache (two questions routed elsewhere).
    assert right >= facts - 2, result["wrong"]
    assert declined == unknowns, result["wrong"]
    assert result["invented_amounts"] == 0, result["wrong"]
