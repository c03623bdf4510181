import pytest

from channels.text import shorten, split_text


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
