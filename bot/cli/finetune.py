"""``bot export finetune``: well rated conversations as a fine-tuning data set.

One JSON line per conversation in OpenAI's chat fine-tuning shape::

    {"messages": [{"role": "system", ...}, {"role": "user", ...},
                  {"role": "assistant", "content": ..., "weight": 1}, ...]}

A conversation is written when one of the bot's replies in it is rated
``--min-rating`` or better (ratings of one reply add up: two thumbs up make
2). Replies rated that well carry ``weight: 1``; the others stay for context
with ``weight: 0``, so the model learns from the good ones only. The
conversation ends at its last well rated reply. Phone numbers, e-mails and
card numbers become placeholders (``[PHONE_1]``, the same one throughout a
conversation) and the contact's name becomes ``[NAME]``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import click

from agents.business import BusinessProfile
from agents.privacy.scrubbing import Scrubber
from bot.cli.jsonl import write_jsonl
from bot.settings import get_settings
from memory.db import Database
from memory.feedback import FeedbackStore, RatedConversation

NAME = "[NAME]"


@click.command("finetune")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["openai-jsonl"]),
    default="openai-jsonl",
    show_default=True,
    help="OpenAI chat fine-tuning JSON lines.",
)
@click.option(
    "--min-rating",
    type=int,
    default=1,
    show_default=True,
    help="A reply counts as good when its ratings add up to this.",
)
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
def finetune(fmt: str, min_rating: int, output: Path | None) -> None:
    """Write well rated conversations, PII-scrubbed, one JSON object per line."""
    settings = get_settings()
    business = BusinessProfile.from_folder(settings.business_dir)
    system = f"You are the front desk of {business.name}. {business.summary}".strip()

    async def records(db: Database) -> AsyncIterator[dict[str, Any] | None]:
        async for conversation in FeedbackStore(db).rated_conversations(min_rating=min_rating):
            yield finetune_record(
                conversation,
                system=system,
                min_rating=min_rating,
                region=settings.phone_default_region,
            )

    write_jsonl(records, output, "conversations")


def finetune_record(
    conversation: RatedConversation, *, system: str, min_rating: int = 1, region: str = "US"
) -> dict[str, Any] | None:
    """One conversation as a training example; None when no reply in it is rated well."""
    good = [
        i
        for i, (direction, _text, score) in enumerate(conversation.turns)
        if direction == "out" and score is not None and score >= min_rating
    ]
    if not good:
        return None
    scrubber = Scrubber(default_region=region)
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for direction, text, score in conversation.turns[: good[-1] + 1]:
        content = _without_name(scrubber.mask(text), conversation.contact_name)
        role = "assistant" if direction == "out" else "user"
        weight = int(score is not None and score >= min_rating)
        last = messages[-1]
        if last["role"] == role:  # two in a row (a follow-up, a split message): one turn
            last["content"] += "\n" + content
            if role == "assistant":
                last["weight"] = min(last["weight"], weight)
            continue
        turn: dict[str, Any] = {"role": role, "content": content}
        if role == "assistant":
            turn["weight"] = weight
        messages.append(turn)
    return {"messages": messages}


def _without_name(text: str, name: str | None) -> str:
    """``text`` with the contact's name (whole, then each part of it) replaced by [NAME]."""
    if not name:
        return text
    parts = [name, *(p for p in name.split() if len(p) >= 3)]
    for part in dict.fromkeys(parts):
        text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", NAME, text, flags=re.IGNORECASE)
    return text
