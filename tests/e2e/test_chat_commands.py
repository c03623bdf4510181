"""Team commands in `bot chat` as a new user meets them (issue 17 §9, §10): real subprocesses."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import bot_env, run_bot
from tests.support.compare_models import model_id

QUESTION = "Is a gratuity expected for the chef?"


def chat(tmp_path: Path, stdin: str, **settings: str):
    env = bot_env(tmp_path, AI_PROVIDER="function:tests.support.replies:parrot", **settings)
    return run_bot(["chat"], env, tmp_path, stdin=stdin)


def test_compare_briefs_the_models_prints_once_and_votes_by_typing(tmp_path):
    result = chat(
        tmp_path,
        f"/compare {QUESTION}\n/compare --bare {QUESTION}\n/compare_best 1:1\n/compare stats\n",
        COMPARE_MODELS=model_id("briefed"),
    )

    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    briefed, bare = out.split("Asking 1 model…")[1:3]
    assert "You answer for Ember & Knife Hibachi Catering" in briefed
    assert "18-20% for the chef is customary" in briefed
    assert "Told: nothing" in bare
    assert out.count("Compare of 1 model:") == 2  # once per compare: no live copies
    assert "Comparing" not in out and "1 models" not in out and "Press" not in out
    assert "type /compare_best 1:1" in out
    assert "Noted: answer 1 (" in out and "best 1 of 1 (100%)" in out
