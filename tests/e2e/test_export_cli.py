"""``AI_PROVIDER=hybrid`` through ``bot ask``, then ``bot export pairs``: real subprocesses."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.orchestrator import HANDOFF_MESSAGE
from tests.support.cli import bot_env, run_bot
from tests.support.hybrid_replies import DRAFT


def hybrid_env(tmp_path: Path, student: str) -> dict[str, str]:
    return bot_env(
        tmp_path,
        AI_PROVIDER="hybrid",
        AI_LAST_RESORT="none",
        HYBRID_STUDENT=f"function:tests.support.hybrid_replies:{student}",
        HYBRID_TEACHER="function:tests.support.replies:priced",
    )


def test_hybrid_answers_hands_off_and_exports_its_pairs(tmp_path: Path):
    taught = run_bot(
        ["ask", "--json", "Do you cater weddings?"], hybrid_env(tmp_path, "unsure"), tmp_path
    )
    handed = run_bot(
        ["ask", "We want something special for the team"], hybrid_env(tmp_path, "lost"), tmp_path
    )
    exported = run_bot(["export", "pairs", "--format", "jsonl"], bot_env(tmp_path), tmp_path)
    out_file = tmp_path / "pairs.jsonl"
    everything = run_bot(
        ["export", "pairs", "--all", "--output", str(out_file)], bot_env(tmp_path), tmp_path
    )
    only_handoffs = run_bot(
        ["export", "pairs", "--decision", "handoff"], bot_env(tmp_path), tmp_path
    )

    assert taught.returncode == 0, taught.stderr
    answer = json.loads(taught.stdout)
    assert answer["text"] == "Your question had 4 words."  # the teacher's answer
    assert answer["model"] == "function:priced"
    assert handed.returncode == 0, handed.stderr
    # No SLACK_OPS_CHANNEL: nobody can take over, so the asker is told so, not to wait.
    assert handed.stdout.strip() != HANDOFF_MESSAGE
    assert "can't bring a member of our team" in handed.stdout
    with sqlite3.connect(tmp_path / "bot.db") as db:
        handoffs = db.execute("SELECT handoff_reason FROM conversations").fetchall()
        roles = db.execute("SELECT role, model FROM model_calls ORDER BY id").fetchall()
    [(reason,)] = handoffs  # both questions came from the same terminal user
    assert "confidence 0.10" in reason
    assert roles == [("student", "unsure"), ("teacher", "priced"), ("student", "lost")]

    assert exported.returncode == 0, exported.stderr
    [line] = exported.stdout.splitlines()
    record = json.loads(line)
    *prompt, target = record["messages"]
    assert prompt[0]["role"] == "system" and prompt[-1] == {
        "role": "user",
        "content": "Do you cater weddings?",
    }
    assert target == {"role": "assistant", "content": "Your question had 4 words."}
    assert record["metadata"]["student_answer"] == DRAFT
    assert record["metadata"]["confidence"] == 0.55
    assert record["metadata"]["decision"] == "teacher"
    assert "exported 1 pairs" in exported.stderr

    assert everything.returncode == 0, everything.stderr
    lines = [json.loads(x) for x in out_file.read_text().splitlines()]
    assert [x["metadata"]["decision"] for x in lines] == ["teacher", "handoff"]
    assert lines[1]["messages"][-1]["content"] == DRAFT
    assert lines[1]["metadata"]["target"] == "student"
    assert f"exported 2 pairs to {out_file}" in everything.stderr
    assert [json.loads(x)["metadata"]["decision"] for x in only_handoffs.stdout.splitlines()] == [
        "handoff"
    ]
