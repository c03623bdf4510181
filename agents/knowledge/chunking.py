"""Chunking: a Markdown or plain-text document cut into passages worth citing.

A document is split at its headings into sections; a section into blocks (a
bullet with its continuation lines, or a paragraph). Each block is a chunk,
so an answer cites the one rule it used ("Cancellation: ..."), not the whole
policy page; blocks shorter than ``min_chars`` join the next one, and a block
longer than ``max_chars`` is cut at sentence ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Bump when the chunks of the same text would change: documents are then re-chunked.
CHUNKER_VERSION = "1"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One passage: the heading path it sits under and its text."""

    heading: str
    text: str


def title_of(text: str, fallback: str) -> str:
    """The document's first heading, or ``fallback`` (its file name) when it has none."""
    for line in text.splitlines():
        found = _HEADING.match(line.strip())
        if found and found.group(2):
            return found.group(2)
    return fallback


def chunk_document(text: str, *, min_chars: int = 40, max_chars: int = 700) -> list[Chunk]:
    """The passages of ``text`` in document order (Markdown headings or plain paragraphs)."""
    chunks: list[Chunk] = []
    for heading, blocks in _sections(text):
        pending = ""
        for block in blocks:
            pending = f"{pending}\n{block}" if pending else block
            if len(pending) < min_chars:
                continue
            chunks.extend(Chunk(heading, part) for part in _cut(pending, max_chars))
            pending = ""
        if pending:
            if chunks and chunks[-1].heading == heading and len(chunks[-1].text) < max_chars:
                chunks[-1] = Chunk(heading, f"{chunks[-1].text}\n{pending}")
            else:
                chunks.append(Chunk(heading, pending))
    return chunks


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading path, blocks) per section; the path joins nested headings with " > "."""
    path: list[tuple[int, str]] = []
    sections: list[tuple[str, list[str]]] = []
    blocks: list[str] = []
    current: list[str] = []

    def end_block() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    def end_section() -> None:
        end_block()
        if blocks:
            sections.append((" > ".join(h for _, h in path), list(blocks)))
            blocks.clear()

    for raw in text.splitlines():
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading:
            end_section()
            level = len(heading.group(1))
            path[:] = [(lvl, h) for lvl, h in path if lvl < level]
            path.append((level, heading.group(2)))
        elif not line:
            end_block()
        elif _BULLET.match(raw):
            end_block()
            current.append(_BULLET.sub("", raw, count=1).strip())
        else:
            current.append(line)
    end_section()
    return sections


def _cut(text: str, max_chars: int) -> list[str]:
    """``text`` in parts of at most about ``max_chars``, cut between sentences."""
    if len(text) <= max_chars:
        return [text]
    parts: list[str] = []
    part = ""
    for sentence in _SENTENCE_END.split(text):
        if part and len(part) + 1 + len(sentence) > max_chars:
            parts.append(part)
            part = sentence
        else:
            part = f"{part} {sentence}" if part else sentence
    if part:
        parts.append(part)
    return parts
