"""Finding and masking phone numbers, e-mails and card numbers; the placeholders of a call."""

from __future__ import annotations

import pytest

from agents.privacy.pii import CARD, EMAIL, PHONE, find_pii, luhn_valid, mask_pii
from agents.privacy.scrubbing import Scrubber, StreamRestorer
from agents.providers.base import CallOptions


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("call me on +1 415 555 0142 tonight", PHONE, "+1 415 555 0142"),
        ("my cell is (415) 555-0142.", PHONE, "(415) 555-0142"),
        ("text 415.555.0142 please", PHONE, "415.555.0142"),
        ("phone:+15550102030 said STOP", PHONE, "+15550102030"),
        ("UK: +44 20 7946 0958", PHONE, "+44 20 7946 0958"),
        ("write to Jane.Doe+party@Example.co.uk!", EMAIL, "Jane.Doe+party@Example.co.uk"),
        ("card 4111 1111 1111 1111 exp 12/28", CARD, "4111 1111 1111 1111"),
        ("card 5500-0000-0000-0004", CARD, "5500-0000-0000-0004"),
        ("pay with 378282246310005", CARD, "378282246310005"),
    ],
)
def test_finds_each_kind(text: str, kind: str, value: str):
    [match] = find_pii(text)

    assert (match.kind, match.text) == (kind, value)
    assert text[match.start : match.end] == value


@pytest.mark.parametrize(
    "text",
    [
        "the party is on 2026-11-21 12:30 for 40 guests",
        "booking HH-1042 for 12/05/2026, $1,250.00 deposit",
        "request 550e8400-e29b-41d4-a716-446655440000 took 1234.5 ms",
        "uvicorn on http://127.0.0.1:8000 and 192.168.100.200",
        "order 4111111111111112 is not a card (Luhn fails)",
        "telegram user 123456789 wrote",
        "between 10 and 12 people, 3 chefs",
    ],
)
def test_leaves_what_only_looks_like_a_number(text: str):
    assert find_pii(text) == []
    assert mask_pii(text) == text


def test_masks_every_kind_and_keeps_the_rest():
    text = "I'm Jane, jane@acme.com or (415) 555-0142; card 4111-1111-1111-1111. 30 guests."

    assert mask_pii(text) == "I'm Jane, [EMAIL] or [PHONE]; card [CARD]. 30 guests."


def test_a_phone_next_to_another_number_is_still_found():
    assert mask_pii("415-555-0142 2 guests") == "[PHONE] 2 guests"


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_scrubber_numbers_values_and_reuses_them_across_messages():
    scrubber = Scrubber()

    first = scrubber.mask("Call +1 415 555 0142 or mail jane@acme.com")
    second = scrubber.mask("Again: 415-555-0142, and bob@acme.com")

    assert first == "Call [PHONE_1] or mail [EMAIL_1]"
    assert second == "Again: [PHONE_1], and [EMAIL_2]"  # the same number, another format
    assert scrubber.restore("Sure, [PHONE_1] and EMAIL_2 noted") == (
        "Sure, +1 415 555 0142 and bob@acme.com noted"
    )
    assert scrubber.restore("unknown [PHONE_9] stays") == "unknown [PHONE_9] stays"


def test_stream_restorer_puts_back_placeholders_split_across_deltas():
    scrubber = Scrubber()
    scrubber.mask("reach me at jane@acme.com or +14155550142")
    restorer = StreamRestorer(scrubber)

    shown = [
        restorer.feed(d)
        for d in ["I will write to [EM", "AIL_1] and call ", "PHONE", "_", "1", "."]
    ]
    shown.append(restorer.flush())

    assert "".join(shown) == "I will write to jane@acme.com and call +14155550142."
    assert not any("[EM" in piece or "PHONE" in piece for piece in shown)


async def test_structured_answers_get_their_values_back():
    from pydantic import BaseModel

    from agents.privacy.scrubbing import ScrubbingProvider
    from agents.providers.base import ChatMessage
    from agents.providers.function import FunctionProvider

    class Lead(BaseModel):
        name: str
        email: str

    def model(messages) -> str:
        assert "jane@acme.com" not in " ".join(m.content for m in messages)
        return '{"name": "Jane", "email": "[EMAIL_1]"}'

    provider = ScrubbingProvider(FunctionProvider(model))
    completion = await provider.complete(
        [ChatMessage("user", "I'm Jane, jane@acme.com")], CallOptions(response_schema=Lead)
    )

    assert completion.parsed == Lead(name="Jane", email="jane@acme.com")
    assert provider.model_id == "function:function"
