"""Splitting long text into pieces a channel accepts, at natural boundaries."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters.

    Prefers paragraph breaks, then line breaks, then sentence ends, then
    spaces; cuts mid-word only when a single word is longer than ``limit``.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            at = window.rfind(separator)
            if at > limit // 3:  # a cut too early would leave tiny parts
                cut = at + len(separator)
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def shorten(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """``text`` in at most ``limit`` characters, cut at a sentence or word end and marked."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    window = text[:room]
    for separator in (". ", "\n", " "):
        at = window.rfind(separator)
        if at > room // 2:
            return window[: at + len(separator)].rstrip() + ellipsis
    return window + ellipsis
