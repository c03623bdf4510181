"""Hide which model wrote an answer before the judge reads it.

A judge that sees "As Claude, I think..." or "OpenAI's GPT-4o says" may favour
(or punish) a vendor instead of the answer. `scrub` replaces self-identifying
model and vendor names, and the contestants' own model ids, with a neutral
``[model]``. It cannot catch every tell (style remains), only the explicit ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: What a scrubbed name becomes.
PLACEHOLDER = "[model]"

# Model families and vendors that models name themselves by. Case-insensitive,
# on word boundaries, with an optional version tail ("GPT-4o-mini", "Llama 3.3").
_NAMES = (
    r"chat\s?gpt",
    r"gpt(?:[-\s]?\d[\w.-]*|[-\s]?o\d\w*)?",
    r"openai",
    r"claude(?:[-\s](?:\d[\w.-]*|sonnet|opus|haiku)(?:[-\s][\d.]+)?)?",
    r"anthropic",
    r"llama(?:[-\s]?\d[\w.-]*)?",
    r"groq",
    r"smol\s?lm\d*(?:[-\w.]*)?",
    r"hugging\s?face",
    r"gemini",
    r"mistral",
    r"mixtral",
    r"qwen\d*(?:[-\w.]*)?",
    r"deepseek",
)
_VENDORS = re.compile(r"\b(?:" + "|".join(_NAMES) + r")\b", re.IGNORECASE)
# "Meta" only as the company (capitalised, or "Meta AI"): "meta-analysis" and
# "metadata" are ordinary words.
_META = re.compile(r"\bMeta(?:\s+AI)?\b")


def scrub(text: str, model_ids: Iterable[str] = (), *, keep: str = "") -> str:
    """``text`` with model and vendor names (and the given ``provider:model`` ids) replaced.

    Names that occur in ``keep`` (the question) stay: when someone asks "Claude
    or GPT for summaries?", the answers must be able to name them.
    """
    kept = keep.lower()

    def hide(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0).lower() in kept else PLACEHOLDER

    for model_id in sorted(set(model_ids), key=len, reverse=True):
        # The whole id, then the model part alone ("gpt-6-luna" from "openai:gpt-6-luna").
        for name in (model_id, model_id.partition(":")[2]):
            if len(name) >= 3:
                text = re.sub(re.escape(name), hide, text, flags=re.IGNORECASE)
    text = _VENDORS.sub(hide, text)
    return _META.sub(hide, text)
