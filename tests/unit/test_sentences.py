"""Check, then show: sentences reach the person only once the reply so far passes the check."""

from __future__ import annotations

from collections.abc import AsyncIterator

from agents.providers.base import Completion, StreamEvent
from agents.sentences import ShownReply, collapsed, sentences, stream_checked

SUBSTITUTE = "Our prices are in the price list: $60 per adult."


def no_invented_price(text: str) -> Completion:
    """A stand-in for `Agent.checked`: any "$999" fails, the documents' words replace it."""
    if "$999" in text:
        return Completion(
            SUBSTITUTE, "m", "p", extras={"grounding": {"replaced": text, "reasons": ["amount"]}}
        )
    return Completion(text, "m", "p")


async def deltas(text: str, size: int = 3) -> AsyncIterator[StreamEvent]:
    for start in range(0, len(text), size):
        yield text[start : start + size]
    yield Completion(text, "m", "p", output_tokens=17)


async def streamed(text: str) -> tuple[Completion, list[str]]:
    collect = _Collector()
    shown = ShownReply(collect)
    completion = await stream_checked(deltas(text), check=no_invented_price, on_sentence=shown)
    stored = shown.settle(completion.text)
    await shown.show_rest()
    return completion, [stored, *collect.sentences]


class _Collector:
    def __init__(self) -> None:
        self.sentences: list[str] = []

    async def __call__(self, sentence: str) -> None:
        self.sentences.append(sentence)


async def test_a_reply_that_passes_is_shown_sentence_by_sentence_and_stored_whole():
    text = "We cook at your home. It takes 90 minutes!\nAsk us anything?"
    completion, (stored, *shown) = await streamed(text)

    assert shown == ["We cook at your home.", "It takes 90 minutes!", "Ask us anything?"]
    assert completion.text == stored == text
    assert collapsed(" ".join(shown)) == collapsed(stored)


async def test_a_later_sentence_that_fails_keeps_the_shown_ones_and_the_substitute_follows():
    text = "We cook at your home. A dinner costs $999 per guest. We bring everything."
    completion, (stored, *shown) = await streamed(text)

    assert shown == ["We cook at your home.", *sentences(SUBSTITUTE)]
    assert stored == completion.text == f"We cook at your home. {SUBSTITUTE}"
    assert not any("$999" in s or "bring everything" in s for s in shown)  # never raw text
    grounding = completion.extras["grounding"]
    assert grounding["replaced"] == text and grounding["kept"] == "We cook at your home."
    assert completion.output_tokens == 17  # the whole stream was read and is accounted


async def test_a_first_sentence_that_fails_gives_what_the_whole_reply_check_gives():
    completion, (stored, *shown) = await streamed("It is $999. Fine food.")

    assert stored == completion.text == SUBSTITUTE
    assert shown == sentences(SUBSTITUTE)


async def test_the_last_sentence_is_checked_with_the_whole_reply():
    completion, (stored, *shown) = await streamed("We cook at home. Only $999")

    assert shown == ["We cook at home.", *sentences(SUBSTITUTE)]
    assert stored == completion.text


async def test_a_reply_replaced_after_part_was_shown_is_stored_as_shown_then_the_new_text():
    got: list[str] = []

    async def collect(sentence: str) -> None:
        got.append(sentence)

    shown = ShownReply(collect)
    await shown("We cook at your home.")
    stored = shown.settle("Sorry, I can't answer right now. Someone will call.")
    await shown.show_rest()

    assert got == [
        "We cook at your home.",
        "Sorry, I can't answer right now.",
        "Someone will call.",
    ]
    assert stored == " ".join(got)


def test_sentences_are_cut_at_ends_and_line_breaks_not_inside_amounts():
    assert sentences("It is $1.50 a mile. Yes!\n\n- Item one\nDone?") == [
        "It is $1.50 a mile.",
        "Yes!",
        "- Item one",
        "Done?",
    ]
