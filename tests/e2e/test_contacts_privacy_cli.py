"""``bot contacts export|delete`` and ``bot export finetune`` as a user runs them: subprocesses."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.testing import RecordingChannel
from memory.feedback import FeedbackStore
from tests.conftest import polite_reply
from tests.support.cli import bot_env, run_bot
from tests.support.privacy_data import (
    JANE_EMAIL,
    JANE_PHONE,
    JANE_STRINGS,
    Seeded,
    seed_jane,
)


def seed(tmp_path: Path) -> Seeded:
    """Jane's data in the database the CLI will use; Bob's reply is rated up too."""

    async def run() -> Seeded:
        settings = load_settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            router_min_confidence=0.0,
            router_embeddings=False,
        )
        channels = {name: RecordingChannel(name) for name in ("sms", "telegram")}
        runtime = await Runtime.start(
            settings, provider=FunctionProvider(polite_reply, model="polite"), channels=channels
        )
        try:
            seeded = await seed_jane(runtime)
            await FeedbackStore(runtime.db).rate(
                seeded.bob_reply_id, rater="slack:U0BOB", rating="up"
            )
            return seeded
        finally:
            await runtime.aclose(drain_seconds=5)

    return asyncio.run(run())


def test_export_finetune_then_delete(tmp_path: Path):
    seeded = seed(tmp_path)
    env = bot_env(tmp_path)
    out_file = tmp_path / "jane.json"

    by_address = run_bot(
        ["contacts", "export", f"phone:{JANE_PHONE}", "--out", str(out_file)], env, tmp_path
    )
    by_merged_id = run_bot(["contacts", "export", str(seeded.merged_id)], env, tmp_path)
    finetune = run_bot(["export", "finetune", "--format", "openai-jsonl"], env, tmp_path)
    strict = run_bot(["export", "finetune", "--min-rating", "2"], env, tmp_path)
    declined = run_bot(["contacts", "delete", str(seeded.jane_id)], env, tmp_path, stdin="n\n")
    deleted = run_bot(["contacts", "delete", str(seeded.jane_id), "--yes"], env, tmp_path)
    unknown = run_bot(["contacts", "delete", "999", "--yes"], env, tmp_path)

    assert by_address.returncode == 0, by_address.stderr
    exported = json.loads(out_file.read_text())
    assert exported["contact_id"] == seeded.jane_id
    assert JANE_EMAIL in {i["external_id"] for i in exported["identities"]}
    assert by_merged_id.returncode == 0, by_merged_id.stderr
    assert json.loads(by_merged_id.stdout)["contact_id"] == seeded.jane_id

    assert finetune.returncode == 0, finetune.stderr
    lines = [json.loads(line) for line in finetune.stdout.splitlines()]
    assert len(lines) == 2  # Jane's SMS conversation and Bob's, each with a reply rated up
    assert "exported 2 conversations" in finetune.stderr
    for line in lines:
        system, user, assistant = line["messages"]
        assert system["role"] == "system" and "Ember & Knife" in system["content"]
        assert user["role"] == "user"
        assert assistant["role"] == "assistant" and assistant["weight"] == 1
    jane_line, bob_line = lines
    assert jane_line["messages"][1]["content"].startswith("Hi, I'm [NAME].")
    assert bob_line["messages"][1]["content"].startswith("who is [EMAIL_1]?")
    assert JANE_EMAIL not in finetune.stdout and "Jane Doe." not in finetune.stdout
    assert strict.returncode == 0 and strict.stdout == ""

    assert declined.returncode == 1  # an answer, not an interruption (130)
    assert f"contact {seeded.jane_id} not deleted: you answered no" in declined.stderr
    assert "Delete everything about this contact for good?" in declined.stdout
    assert deleted.returncode == 0, deleted.stderr
    assert f"deleted contact {seeded.jane_id}:" in deleted.stdout
    assert "  messages: 6" in deleted.stdout and "  identities: 3" in deleted.stdout
    with sqlite3.connect(tmp_path / "bot.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dump = json.dumps(
            {t: db.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}, default=str
        ).lower()
    for secret in JANE_STRINGS:
        assert secret.lower() not in dump, secret
    assert unknown.returncode == 1
    assert "no contact has the id 999" in unknown.stderr
