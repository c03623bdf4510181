import pytest

from channels.text import split_text


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
