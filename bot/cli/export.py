"""``bot export pairs``: the tutor-pair log as fine-tuning data.

One JSON object per line in the chat fine-tuning shape, the prompt followed by
the teacher's answer as the assistant turn::

    {"messages": [{"role": "system", ...}, {"role": "user", ...},
                  {"role": "assistant", "content": "<teacher answer>"}],
     "metadata": {"student_answer": ..., "confidence": ..., ...}}

Fine-tuning tools that reject unknown keys take ``{"messages": ...}`` alone
(``jq -c '{messages}'``). With ``--all``, or ``--decision`` naming which
decisions to write, pairs without a teacher answer are written too, the
student's answer as the assistant turn and ``metadata.target`` saying so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path
from typing import Any

import click

from bot.cli.jsonl import write_jsonl
from memory.db import Database
from memory.tutor_pairs import DECISIONS, StoredPair, TutorPairStore


@click.group()
def export() -> None:
    """Export what the bot learned, as training data."""


@export.command("pairs")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="Output format: JSON lines in the chat fine-tuning shape.",
)
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Also pairs the teacher did not answer (the student's answer becomes the target).",
)
@click.option(
    "--decision",
    "decisions",
    type=click.Choice(DECISIONS),
    multiple=True,
    help="Only pairs with this hybrid decision (repeatable; implies --all for them).",
)
def pairs(fmt: str, output: Path | None, include_all: bool, decisions: tuple[str, ...]) -> None:
    """Write the hybrid's student/teacher pairs, one JSON object per line."""

    async def records(db: Database) -> AsyncIterator[dict[str, Any]]:
        store = TutorPairStore(db)
        async for pair in store.iter_pairs(
            decisions=decisions or None, with_teacher=not (include_all or decisions)
        ):
            yield pair_record(pair)

    write_jsonl(records, output, "pairs")


def pair_record(pair: StoredPair) -> dict[str, Any]:
    """One exported line: the conversation with its target answer, and what led to it."""
    from_teacher = pair.teacher_text is not None
    target = pair.teacher_text if from_teacher else pair.student_text
    created = pair.created_at
    if created.tzinfo is None:  # SQLite hands back naive datetimes; they are stored in UTC
        created = created.replace(tzinfo=UTC)
    return {
        "messages": [*pair.prompt, {"role": "assistant", "content": target}],
        "metadata": {
            "id": pair.id,
            "target": "teacher" if from_teacher else "student",
            "decision": pair.decision,
            "student_model": pair.student_model,
            "student_answer": pair.student_text,
            "confidence": pair.confidence,
            "method": pair.method,
            "teacher_model": pair.teacher_model,
            "created_at": created.isoformat(),
        },
    }


# Well rated conversations as fine-tuning data (bot/cli/finetune.py).
from bot.cli.finetune import finetune  # noqa: E402

export.add_command(finetune)
