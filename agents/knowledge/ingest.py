"""Ingesting documents: files read, hashed, chunked and put in the `KnowledgeStore`.

A document's source is its path relative to the business folder when it lies
inside it (``pricing.md``), else its absolute path. The content hash covers
the text and the chunker's version, so re-adding an unchanged file writes
nothing and a new chunker re-chunks everything once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from agents.errors import AgentError
from agents.knowledge.chunking import CHUNKER_VERSION, chunk_document, title_of
from memory.knowledge import KnowledgeStore, PutResult

log = logging.getLogger(__name__)

#: What ``bot kb add`` reads: Markdown and plain text (no PDF, no Word).
SUFFIXES = frozenset({".md", ".markdown", ".txt"})


class KnowledgeBaseError(AgentError):
    """A document that cannot be ingested (missing, unreadable, not text)."""


@dataclass
class SyncReport:
    """What `sync_folder` did."""

    put: list[PutResult] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Files that could not be read, with why (logged, not fatal: the bot still starts).
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        """Sources whose chunks were (re)written."""
        return [r.source for r in self.put if r.changed]


def content_hash(text: str) -> str:
    """The digest that decides whether a document changed."""
    return hashlib.sha256(f"{CHUNKER_VERSION}\0{text}".encode()).hexdigest()


def source_name(path: Path, root: Path | None) -> str:
    """``path`` relative to ``root`` when inside it, else absolute (POSIX separators)."""
    resolved = path.resolve()
    if root is not None:
        try:
            return resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return resolved.as_posix()


def document_files(paths: Iterable[Path]) -> list[Path]:
    """The files ``paths`` name, folders expanded to their Markdown and text files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        elif not path.is_file():
            raise KnowledgeBaseError(f"{path}: no such file")
        elif path.suffix.lower() not in SUFFIXES:
            raise KnowledgeBaseError(
                f"{path}: only Markdown and text documents ({', '.join(sorted(SUFFIXES))})"
            )
        else:
            files.append(path)
    return files


def read_text(path: Path) -> str:
    """The file's text; a `KnowledgeBaseError` for bytes that are not UTF-8 text."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(f"{path}: not UTF-8 text ({exc.reason})") from None


async def ingest_text(
    store: KnowledgeStore, *, source: str, text: str, known_hash: str | None = None
) -> PutResult | None:
    """Chunk and store ``text`` as ``source``; None when ``known_hash`` says it is unchanged."""
    digest = content_hash(text)
    if digest == known_hash:
        return None
    chunks = chunk_document(text)
    return await store.put(
        source=source,
        title=title_of(text, Path(source).stem),
        content_hash=digest,
        chunks=[(c.heading, c.text) for c in chunks],
    )


def _read_files(files: Iterable[tuple[str, Path]]) -> list[tuple[str, str | Exception]]:
    """(source, text or the error reading it) per file (blocking: run in a thread)."""
    texts: list[tuple[str, str | Exception]] = []
    for source, path in files:
        try:
            texts.append((source, read_text(path)))
        except (KnowledgeBaseError, OSError) as exc:
            texts.append((source, exc))
    return texts


async def ingest_paths(
    store: KnowledgeStore, paths: Iterable[Path], *, root: Path | None = None
) -> list[PutResult]:
    """Add or refresh every document ``paths`` name (``bot kb add``)."""
    files = await asyncio.to_thread(document_files, list(paths))
    named = [(source_name(path, root), path) for path in files]
    results = []
    for source, text in await asyncio.to_thread(_read_files, named):
        if isinstance(text, Exception):
            raise text
        result = await ingest_text(store, source=source, text=text)
        assert result is not None
        results.append(result)
    return results


def _folder_files(folder: Path) -> list[tuple[str, Path]]:
    return [
        (source_name(path, folder), path)
        for path in sorted(folder.iterdir())
        if path.suffix.lower() in SUFFIXES and path.is_file()
    ]


async def sync_folder(store: KnowledgeStore, folder: Path) -> SyncReport:
    """Make the store hold the folder's documents (run at every start, so cheap).

    One read of the stored hashes; only new or changed files are chunked and
    written. Documents once ingested from the folder whose file is gone are
    removed; documents added from elsewhere (absolute sources) are kept. A file
    that cannot be read is logged and skipped: the bot still starts.
    """
    report = SyncReport()
    known = await store.hashes()
    files = await asyncio.to_thread(_folder_files, folder)
    present = {source for source, _ in files}
    for source, text in await asyncio.to_thread(_read_files, files):
        if isinstance(text, Exception):
            log.warning("knowledge base: %s skipped: %s", source, text)
            report.errors.append(str(text))
            continue
        result = await ingest_text(store, source=source, text=text, known_hash=known.get(source))
        if result is not None:
            report.put.append(result)
    for source in sorted(known):
        if not Path(source).is_absolute() and source not in present:
            await store.remove(source)
            report.removed.append(source)
    return report
