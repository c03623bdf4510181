"""Check, then show: a reply streamed sentence by sentence, each once the grounding check passed it.

The one API for every channel that shows a reply as it is written (the
console's ``bot chat``, the web chat over Server-Sent Events)::

    async def on_sentence(sentence: str) -> None:
        ...  # print it, or write one SSE event

    reply = await orchestrator.handle(incoming, on_sentence=on_sentence)
    # also: orchestrator.answer(incoming, recorded, on_sentence=on_sentence)

`on_sentence` is awaited once per sentence of the reply, in order, each a
non-empty stripped string; a channel that wants a typing indicator shows it
from the call until the first sentence (and between sentences). Guarantees:

- A sentence of the model's text reaches ``on_sentence`` only after the
  reply so far, up to and including it, passed the same check the whole reply
  gets without streaming (`Agent.checked`: the claims the documents must
  support, then the repeat checks). Raw model text is never passed on.
- When a later sentence fails, the sentences already shown stand; the failing
  sentence and everything after it are replaced by what the whole-reply check
  substitutes (the documents' own words, or the not-sure answer, or the next
  question), which is then shown sentence by sentence. The model's whole text
  stays in the stored reply's meta (``grounding.replaced`` or
  ``rewritten.replaced``), with ``kept``: the part that was shown.
- Answers decided in code (extractive answers, quotes, not-sure, a handoff, a
  clarifying question, the apology when no model answered) are shown sentence
  by sentence too, after they are decided.
- What is stored and sent is exactly what was shown: the shown sentences
  joined by single spaces equal ``reply.text`` with its whitespace collapsed.
  Should a later step change a reply after part of it was shown (a model that
  fails mid-stream: the apology), the new text is shown after what was shown
  and stored as both.

Order of events: the model's sentences are shown as they pass; once the
reply is final, it is stored, the rest of it is shown, and only then does
the outbox call the channel's ``send`` with the whole text, which a streaming
channel must not show a second time (`channels.console.ConsoleChannel.send`).
After a sentence fails, the model's stream is still read to its end (its
tokens and cost are recorded), so the substitute appears when the model
finishes: never later than the whole reply did before streaming. An answer
cancelled half way (Ctrl-C in ``bot chat``) stores nothing; what was shown
had passed the check.

A channel that does not stream (SMS, Telegram) passes no ``on_sentence`` and
gets the whole checked reply, as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

from agents.providers.base import Completion, StreamEvent

log = logging.getLogger(__name__)

#: Called with each sentence of a reply once it may be shown (see the module docstring).
SentenceCallback = Callable[[str], Awaitable[None]]

#: The end of a sentence: whitespace after ``.``, ``!`` or ``?``, or a line break.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n+")

#: The meta keys that say what replaced a model's text (see `Agent.checked`).
_REPLACED_KEYS = ("grounding", "rewritten")


def sentences(text: str) -> list[str]:
    """``text`` cut into its sentences, stripped, empty ones left out."""
    return [s.strip() for s in _BOUNDARY.split(text) if s.strip()]


def collapsed(text: str) -> str:
    """``text`` with every run of whitespace made one space (how shown and stored compare)."""
    return " ".join(text.split())


def complete_ends(text: str, start: int) -> list[tuple[int, int]]:
    """(end of sentence, start of the next) for each sentence of ``text`` after
    ``start`` that is known to be complete: more text follows its boundary."""
    return [
        (match.start(), match.end())
        for match in _BOUNDARY.finditer(text, start)
        if match.end() < len(text)
    ]


class ShownReply:
    """What one reply has shown so far; the callback the agent streams through.

    The orchestrator wraps the channel's `SentenceCallback` in one of these:
    `settle` gives the text to store (what was shown plus what is still to
    show), `show_rest` shows the rest once it is stored.
    """

    def __init__(self, on_sentence: SentenceCallback) -> None:
        self._on_sentence = on_sentence
        self.shown: list[str] = []
        self._rest: list[str] = []

    async def __call__(self, sentence: str) -> None:
        sentence = sentence.strip()
        if sentence:
            self.shown.append(sentence)
            await self._on_sentence(sentence)

    def settle(self, text: str) -> str:
        """The reply to store, given the final ``text``: ``text`` itself when it begins
        with what was shown, else what was shown followed by ``text``. `show_rest`
        then shows the part not shown yet (call it after storing)."""
        parts = sentences(text)
        if parts[: len(self.shown)] == self.shown:
            self._rest = parts[len(self.shown) :]
            return text
        # Replaced after part of it was shown (a stream broken mid-way): what was
        # shown stands, the new text follows it, and both are stored.
        log.info("reply changed after %d sentences were shown: appended", len(self.shown))
        self._rest = parts
        return " ".join([*self.shown, text.strip()]).strip()

    async def show_rest(self) -> None:
        """Show, sentence by sentence, what `settle` found not shown yet."""
        rest, self._rest = self._rest, []
        for sentence in rest:
            await self(sentence)


async def stream_checked(
    events: AsyncIterator[StreamEvent],
    *,
    check: Callable[[str], Completion],
    on_sentence: SentenceCallback,
) -> Completion:
    """The model's streamed answer, its sentences shown as each passes ``check``.

    ``check(text)`` is the whole-reply check applied to the reply so far; it
    returns a completion whose text is ``text`` when that passes, or the
    substitute (with the reasons in its extras). The first sentence that fails
    ends the showing: the rest of the stream is read (for its tokens and cost)
    but not shown, and the answer becomes the shown part followed by the
    substitute, which the caller shows (`ShownReply.settle`).
    """
    text, shown_to, failed = "", 0, None
    completion: Completion | None = None
    async for event in events:
        if isinstance(event, Completion):
            completion = event
            continue
        text += event
        if failed is None:
            shown_to, failed = await _show_complete(text, shown_to, check, on_sentence)
    if completion is None:
        raise RuntimeError("the model's stream ended without a completion")
    final = completion.text.strip()
    if failed is not None:
        return _replaced(completion, kept=text[:shown_to].strip(), substitute=failed)
    if not final.startswith(text[:shown_to].strip()):
        # Never seen from our providers; `ShownReply.settle` puts the result after
        # what was shown, so nothing shown is taken back.
        log.warning("the model's final text differs from its stream: checked whole")
        checked = check(final)
        return replace(
            completion, text=checked.text, extras={**completion.extras, **checked.extras}
        )
    # The last sentence has no boundary after it: it is checked with the whole text.
    shown_to, failed = await _show_complete(final, shown_to, check, on_sentence, final=True)
    if failed is None:
        return completion
    return _replaced(completion, kept=final[:shown_to].strip(), substitute=failed)


async def _show_complete(
    text: str,
    shown_to: int,
    check: Callable[[str], Completion],
    on_sentence: SentenceCallback,
    *,
    final: bool = False,
) -> tuple[int, Completion | None]:
    """Show each complete, passing sentence of ``text`` after ``shown_to`` (with
    ``final``, the last one too); return the new end of what is shown and the
    substitute for the first sentence that failed, if any."""
    ends = complete_ends(text, shown_to)
    if final:
        ends.append((len(text), len(text)))
    for end, next_start in ends:
        sentence = text[shown_to:end].strip()
        if not sentence:
            shown_to = next_start
            continue
        so_far = text[:end].strip()
        checked = check(so_far)
        if checked.text.strip() != so_far:
            return shown_to, checked
        await on_sentence(sentence)
        shown_to = next_start
    return shown_to, None


def _replaced(completion: Completion, *, kept: str, substitute: Completion) -> Completion:
    """``completion`` (tokens, cost, calls) with the shown part plus the substitute as
    its text; the model's whole text and the kept part recorded as the check does."""
    extras = {**completion.extras, **substitute.extras}
    for key in _REPLACED_KEYS:
        if key in substitute.extras:
            extras[key] = {**substitute.extras[key], "replaced": completion.text, "kept": kept}
    text = f"{kept} {substitute.text.strip()}".strip()
    return replace(completion, text=text, extras=extras)
