"""Replies the bot must not send twice: a near-copy of an earlier reply in the conversation.

A small model shown its own earlier turns copies them ("You're looking for a
party in your backyard, that's perfect..." four times running). A reply that
reads the same as one already sent is never sent again; the caller replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

_WORD = re.compile(r"[a-z0-9$%.,]+")

#: At or above this similarity (0..1) two replies read as the same one. Chosen on
#: the conversation scripts: different answers on one topic stay under 0.6.
SIMILAR = 0.8


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def near_repeat(text: str, earlier: Iterable[str], *, threshold: float = SIMILAR) -> bool:
    """Whether ``text`` is identical or nearly identical to one of ``earlier``."""
    words = _words(text)
    if not words:
        return False
    for other in earlier:
        theirs = _words(other)
        if not theirs:
            continue
        if SequenceMatcher(None, words, theirs, autojunk=False).ratio() >= threshold:
            return True
    return False
