"""SMS segment arithmetic (channels/sms/segments.py): encodings, limits, where parts end."""

from __future__ import annotations

import pytest

from channels.sms.segments import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    UCS2,
    encoding_of,
    plan_segments,
    smart_encode,
    units_of,
)

EMOJI = "\U0001f600"  # 😀, two UTF-16 code units


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_the_gsm7_alphabet_has_127_characters_besides_the_escape_and_10_extensions():
    assert len(GSM7_BASIC) == 127 and "\x1b" not in GSM7_BASIC
    assert len(GSM7_EXTENSION) == 10 and "€" in GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Hello @ 5£ ¿Qué? ÄÖÜ äöü ñ à é è", GSM7),
        ("Braces {} and [brackets] and € cost two", GSM7),
        ("line\nbreak\rand\fform feed", GSM7),
        ("One accent outside GSM: á", UCS2),  # á is not in GSM-7 (à is)
        ("A curly quote ’ is enough", UCS2),
        (f"An emoji {EMOJI}", UCS2),
        ("Cyrillic Привет", UCS2),
        ("ç lower-case cedilla is not GSM-7 (only Ç is)", UCS2),
        ("\x1b", UCS2),  # the escape itself is not a character one can send
        ("", GSM7),
    ],
)
def test_one_character_outside_gsm7_makes_the_whole_text_ucs2(text: str, encoding: str):
    assert encoding_of(text) == encoding


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4), (1530, 10), (1600, 11)],
)
def test_gsm7_is_160_alone_and_153_per_part(length: int, segments: int):
    plan = plan_segments("a" * length)

    assert (plan.encoding, plan.units, plan.segments) == (GSM7, length, segments)
    assert all(units <= (160 if segments == 1 else 153) for units in plan.part_units)


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4), (1600, 24)],
)
def test_ucs2_is_70_alone_and_67_per_part(length: int, segments: int):
    plan = plan_segments("я" * length)

    assert (plan.encoding, plan.units, plan.segments) == (UCS2, length, segments)
    assert all(units <= (70 if segments == 1 else 67) for units in plan.part_units)


def test_extension_characters_count_two_septets():
    assert units_of("{}", GSM7) == 4
    assert plan_segments("a" * 158 + "€").segments == 1  # 160 septets
    assert plan_segments("a" * 159 + "€").segments == 2  # 161 septets
    assert plan_segments("€" * 80).units == 160


def test_an_escape_pair_is_never_split_across_parts():
    text = "a" * 152 + "^" + "b" * 10  # the ^ would take septets 153 and 154

    plan = plan_segments(text)

    assert plan.part_units == (152, 12)
    assert plan.parts[1].startswith("^")
    assert "".join(plan.parts) == text


def test_an_emoji_counts_two_units_and_is_never_split():
    assert plan_segments(EMOJI * 35).segments == 1  # 70 units
    assert plan_segments(EMOJI * 35 + "a").segments == 2  # 71 units
    text = "a" * 66 + EMOJI + "b" * 10  # the emoji would take units 67 and 68

    plan = plan_segments(text)

    assert plan.part_units == (66, 12)
    assert plan.parts[1].startswith(EMOJI)
    assert all(utf16_units(part) <= 67 for part in plan.parts)


def test_pairs_moving_on_can_cost_a_part_more_than_the_plain_division():
    # 134 units fit in two parts of 67 only if no pair straddles the boundary.
    assert plan_segments("a" + EMOJI * 66 + "a").part_units == (67, 67)
    # 67 is odd: a part of emoji alone holds 66 units, and the last emoji needs a third.
    assert plan_segments(EMOJI * 67).part_units == (66, 66, 2)


def test_a_300_character_text_with_an_emoji_is_five_ucs2_parts():
    text = "x" * 150 + EMOJI + "y" * 149

    plan = plan_segments(text)

    assert (len(text), plan.units, plan.encoding, plan.segments) == (300, 301, UCS2, 5)
    assert "".join(plan.parts) == text
    assert sum(EMOJI in part for part in plan.parts) == 1


def test_an_empty_text_has_no_parts():
    plan = plan_segments("")

    assert (plan.segments, plan.units, plan.parts) == (0, 0, ())


def test_smart_encoding_replaces_what_models_write_with_gsm7_look_alikes():
    text = "It’s ‘here’ – “now” — wait… ok\u00a0then\u200b"

    encoded = smart_encode(text)

    assert encoded == "It's 'here' - \"now\" - wait... ok then"
    assert encoding_of(encoded) == GSM7
    assert plan_segments(encoded).units == len(encoded)


def test_smart_encoding_leaves_real_unicode_alone():
    text = f"Привет {EMOJI} café"

    assert smart_encode(text) == text
    assert encoding_of(smart_encode(text)) == UCS2
