import pytest

from channels.base import Address, IncomingMessage
from channels.text import clean_incoming, clean_text, shorten, split_text


def test_short_text_is_one_part():
    assert split_text("hello", 160) == ["hello"]


def test_splits_at_sentence_and_word_boundaries():
    text = "First sentence here. " * 20
    parts = split_text(text, 100)

    assert all(len(p) <= 100 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == text.strip()


def test_prefers_paragraph_breaks():
    text = "a" * 50 + "\n\n" + "b" * 50
    assert split_text(text, 80) == ["a" * 50, "b" * 50]


def test_cuts_a_word_longer_than_the_limit():
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_limit_must_be_positive():
    with pytest.raises(ValueError):
        split_text("x", 0)


def test_shorten_cuts_at_a_sentence_end_and_marks_the_cut():
    text = "First sentence here. Second sentence is longer than the room left."

    short = shorten(text, 30)

    assert short == "First sentence here.…"
    assert len(short) <= 30


def test_shorten_leaves_short_text_alone_and_never_exceeds_the_limit():
    assert shorten("  hi  ", 10) == "hi"
    assert len(shorten("x" * 5000, 1600)) == 1600


def test_clean_text_removes_nul_and_lone_surrogates_only():
    assert clean_text("a\x00b\ud800c\udfffd") == "abcd"
    # Everything else a person may type stays: emoji, accents, tabs, newlines.
    assert clean_text("café 😀\tok\n") == "café 😀\tok\n"


def test_clean_incoming_cleans_every_text_field():
    incoming = IncomingMessage(
        channel="telegram",
        sender=Address("telegram", "42\x00"),
        conversation_key="42\x00",
        text="hi\x00 there",
        external_id="42:1\x00",
        sender_name="A\ud800nn",
        aliases=(Address("phone", "+1555\x001234567"),),
        command="ask\x00",
        arguments="x\x00",
        extras={"k\x00": ["v\x00", 1]},
    )

    cleaned = clean_incoming(incoming)

    assert cleaned.sender == Address("telegram", "42")
    assert (cleaned.conversation_key, cleaned.text, cleaned.external_id) == (
        "42",
        "hi there",
        "42:1",
    )
    assert (cleaned.sender_name, cleaned.command, cleaned.arguments) == ("Ann", "ask", "x")
    assert cleaned.aliases == (Address("phone", "+15551234567"),)
    assert cleaned.extras == {"k": ["v", 1]}
