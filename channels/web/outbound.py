"""`WebChannel`: what the bot says to a web chat visitor, written to their stream.

The outbox calls `send` in whichever process answered (``bot serve`` on
SQLite, any ``bot worker`` on PostgreSQL); the reply is written to the event
log sentence by sentence, one SSE event each, and every process serving
streams reads it from there.

Sentence by sentence: until the orchestrator hands over each sentence as
grounding passes it (``on_sentence``), the checked final reply is split here.
`stream_sentence` is the hook for that: sentences it published for a
conversation are not published again by the `send` that follows.
"""

from __future__ import annotations

import re
from typing import Any

from channels.base import Channel, OutgoingMessage
from channels.web.services import SENTENCE, WebEventLog

#: A sentence ends at ., ! or ? (and closing quotes or brackets) followed by a space,
#: or at a line break; "e.g. this" splits too, which costs an event, not meaning.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"')\]])\s+|\n+")


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences, each stripped; none empty."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


class WebChannel(Channel):
    """Replies as events on the visitor's stream; plain text, rendered by the widget as text."""

    name = "web"
    max_text_length = 4000
    streams_sentences = True

    def __init__(self, events: WebEventLog) -> None:
        self.events = events
        # Sentences already streamed per conversation by `stream_sentence`, for the send
        # that ends that reply (same process: the worker that answered calls both).
        self._streamed: dict[str, list[str]] = {}

    async def stream_sentence(self, conversation_key: str, sentence: str) -> None:
        """Publish one checked sentence of a reply still being written (``on_sentence``)."""
        self._streamed.setdefault(conversation_key, []).append(sentence.strip())
        await self.events.publish(conversation_key, [(SENTENCE, sentence.strip(), {})])

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        """Publish ``message`` sentence by sentence; its id is the first event's."""
        text = message.text
        if message.card is not None:  # a card reads as its text: title, then field lines
            text = f"{text}\n{message.card.as_text()}" if text else message.card.as_text()
        parts = sentences(text) or [text.strip() or "…"]
        already = " ".join(" ".join(self._streamed.pop(conversation_key, [])).split())
        whole = " ".join(text.split())
        if already and whole.startswith(already):  # compared as shown: whitespace collapsed
            parts = sentences(whole[len(already) :])
        events: list[tuple[str, str, dict[str, Any]]] = [(SENTENCE, p, {}) for p in parts]
        if events:
            kind, last, meta = events[-1]
            events[-1] = (kind, last, {**meta, "last": True})
        else:  # everything was streamed: only the end of the reply is left to say
            events = [(SENTENCE, "", {"last": True})]
        ids = await self.events.publish(conversation_key, events)
        return f"web-{ids[0]}"
