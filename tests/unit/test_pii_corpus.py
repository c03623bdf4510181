"""The masking function against a corpus of the forms personal data takes in logs."""

from __future__ import annotations

import pytest

from agents.privacy.decoded import DecodedView
from agents.privacy.pii import find_pii, mask_pii
from tests.support.pii_corpus import CORPUS, NOT_PII, Case


def test_the_corpus_is_broad():
    kinds = {case.kind for case in CORPUS}
    assert len(CORPUS) >= 40 and kinds == {"PHONE", "EMAIL", "CARD"}


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_each_format_is_masked_whole(case: Case):
    # Whole: not "+[CARD]" or "[PHONE] 0960", which leave part of the value behind.
    assert mask_pii(f"value: {case.value} end") == f"value: {case.expected} end"


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_each_format_is_masked_in_a_query_string(case: Case):
    line = '127.0.0.1:5123 - "GET /healthz?to={}&case=7 HTTP/1.1" 200'

    assert mask_pii(line.format(case.value)) == line.format(case.expected)


@pytest.mark.parametrize("text", NOT_PII)
def test_what_only_looks_like_personal_data_is_kept(text: str):
    assert mask_pii(text) == text


def test_an_encoded_match_spans_the_original_and_normalises_the_value():
    text = "to=%2B1%20415%20555%200116&from=jane.doe%40Example.com"

    phone, email = find_pii(text)

    assert (phone.text, phone.normal) == ("%2B1%20415%20555%200116", "+14155550116")
    assert (email.text, email.normal) == ("jane.doe%40Example.com", "jane.doe@example.com")
    assert text[email.start : email.end] == email.text


def test_the_decoded_view_keeps_what_it_cannot_decode():
    view = DecodedView("a%ZZ%FF%C3%A9+1+2")

    assert view.text == "a%ZZ%FFé+1 2"  # a stray byte stays escaped; only + between digits
    assert view.span(7, 8) == (7, 13)  # é came from %C3%A9
    assert view.span(4, 7) == (4, 7)


def test_plain_text_is_its_own_view():
    view = DecodedView("nothing encoded here, a+b")

    assert view.text == "nothing encoded here, a+b"
    assert view.span(3, 9) == (3, 9)
