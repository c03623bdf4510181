"""Text as channels need it: split at natural boundaries, shortened, cleaned for storing."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from channels.base import Address, IncomingMessage

#: ``/name`` (Telegram adds ``@botname`` in groups), then the arguments.
_COMMAND = re.compile(r"/([A-Za-z0-9_-]{1,64})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?", re.DOTALL)


def parse_command(text: str) -> tuple[str, str] | None:
    """``/name@bot rest`` → (``name``, ``rest``); None when ``text`` is not a command.

    Every channel that takes typed commands (Telegram, the console, the HTTP API)
    reads them with this, so ``/help`` means the same everywhere.
    """
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


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


#: What no store takes: NUL (PostgreSQL refuses byte 0x00 in text) and lone UTF-16
#: surrogates (a JSON ``"\ud800"`` decodes to one; no UTF-8 encoder accepts it).
#: A well-formed pair never reaches Python as two surrogates: JSON joins it into one
#: character, so every surrogate in a `str` is a broken half.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without the characters no database or encoder accepts (NUL, lone surrogates)."""
    return _UNSTORABLE.sub("", text)


def clean_json(value: Any) -> Any:
    """A decoded JSON value (or form) with `clean_text` applied to every string, keys too."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def clean_incoming(incoming: IncomingMessage) -> IncomingMessage:
    """``incoming`` with every text field cleaned (`clean_text`): what the store may see.

    Channels clean what they receive at their boundary; this is the last
    door before the database, for every channel alike.
    """

    def address(a: Address) -> Address:
        return Address(clean_text(a.kind), clean_text(a.value))

    return replace(
        incoming,
        channel=clean_text(incoming.channel),
        sender=address(incoming.sender),
        conversation_key=clean_text(incoming.conversation_key),
        text=clean_text(incoming.text),
        external_id=None if incoming.external_id is None else clean_text(incoming.external_id),
        sender_name=None if incoming.sender_name is None else clean_text(incoming.sender_name),
        aliases=tuple(address(a) for a in incoming.aliases),
        command=None if incoming.command is None else clean_text(incoming.command),
        arguments=clean_text(incoming.arguments),
        extras=clean_json(incoming.extras),
    )
