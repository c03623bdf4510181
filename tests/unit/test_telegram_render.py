"""Telegram rendering and parsing: escaping, splitting, keyboards, commands, phone numbers."""

from __future__ import annotations

import pytest

from channels.base import SHARE_PHONE_ACTION, Card, CardAction, CardField, OutgoingMessage
from channels.telegram.inbound import e164, parse_command
from channels.telegram.outbound import parse_sent_id
from channels.telegram.render import (
    decode_callback,
    encode_callback,
    escape,
    keyboard,
    render,
    render_edit,
)
from channels.telegram.testing import ApiError, visible_text
from channels.telegram.verify import secret_matches


def test_escaping_leaves_only_our_markup():
    text = 'a < b && c > d "q" *bold* _i_ [l](u) `c`'

    escaped = escape(text)

    assert escaped == 'a &lt; b &amp;&amp; c &gt; d "q" *bold* _i_ [l](u) `c`'
    assert visible_text(escaped, "HTML") == text


def test_unescaped_html_is_what_telegram_refuses():
    with pytest.raises(ApiError, match="can't parse entities"):
        visible_text("2 < 3", "HTML")


def test_text_is_split_by_visible_length_then_escaped():
    text = "<&> " * 1800  # 7,200 visible characters, 18,000 once escaped

    parts = render(OutgoingMessage(text))

    assert len(parts) == 2
    assert all(len(part.plain) <= 4096 for part in parts)
    assert [visible_text(part.html, "HTML") for part in parts] == [p.plain for p in parts]
    assert all(part.markup is None for part in parts)


def test_a_card_follows_the_text_in_bold_with_its_keyboard_on_the_last_part():
    card = Card(
        title="Lead <Acme>",
        fields=(CardField("Score", "8/10"),),
        sections=("Ready & keen",),
        actions=(CardAction("rescore", "Score again", "jane@acme.com"),),
    )

    [part] = render(OutgoingMessage("Here you go", card=card))

    assert part.html == (
        "Here you go\n\n<b>Lead &lt;Acme&gt;</b>\n<b>Score:</b> 8/10\nReady &amp; keen"
    )
    assert part.plain == "Here you go\n\nLead <Acme>\nScore: 8/10\nReady & keen"
    assert part.markup is not None
    assert part.markup.model_dump(exclude_none=True) == {
        "inline_keyboard": [[{"text": "Score again", "callback_data": "rescore|jane@acme.com"}]]
    }


def test_share_phone_is_a_one_time_contact_request_keyboard():
    card = Card("Share?", actions=(CardAction(SHARE_PHONE_ACTION, "Share my number"),))

    markup = keyboard(card)

    assert markup is not None
    assert markup.model_dump(exclude_none=True) == {
        "keyboard": [[{"text": "Share my number", "request_contact": True}]],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }
    assert keyboard(card, inline_only=True) is None  # an edit cannot carry a reply keyboard


def test_a_button_whose_callback_data_is_over_64_bytes_is_left_out():
    too_long = CardAction("open", "Open", "é" * 40)  # 80 bytes in UTF-8
    fits = CardAction("open", "Open", "x" * 59)  # "open|" + 59 = 64 bytes

    assert encode_callback(too_long) is None
    assert encode_callback(fits) == "open|" + "x" * 59
    assert keyboard(Card("t", actions=(too_long,))) is None
    assert decode_callback("compare_pick|2|b") == ("compare_pick", "2|b")


def test_an_edit_is_one_message_shortened_to_the_limit():
    part = render_edit(OutgoingMessage("word " * 2000))

    assert len(part.plain) <= 4096 and part.plain.endswith("…")
    assert visible_text(part.html, "HTML") == part.plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("start", "")),
        ("/start@desk_bot", ("start", "")),
        ("/Enrich@desk_bot jane@acme.com ", ("enrich", "jane@acme.com")),
        ("/compare which is cheaper,\nA or B?", ("compare", "which is cheaper,\nA or B?")),
        ("/opt-out", ("opt-out", "")),
        ("hello /start", None),
        ("/", None),
        ("/etc/passwd is a file", None),
    ],
)
def test_commands_are_parsed_with_the_bot_name_stripped(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("15551234567", "+15551234567"), ("+44 7700 900123", "+447700900123")],
)
def test_shared_phone_numbers_become_e164(given, expected):
    assert e164(given) == expected


def test_a_number_too_short_is_refused():
    with pytest.raises(ValueError):
        e164("12345")


def test_secret_comparison():
    assert secret_matches("abc", "abc")
    assert not secret_matches("abd", "abc")
    assert not secret_matches(None, "abc")
    assert not secret_matches("abc", None)  # no secret configured: nothing matches
    assert not secret_matches("é", "abc")  # non-ASCII header values do not crash it


def test_sent_ids_carry_chat_and_message():
    assert parse_sent_id("-100123:45") == (-100123, 45)
    assert parse_sent_id("slack-1") is None
