"""Model Markdown → Slack mrkdwn, and cards → Block Kit."""

from __future__ import annotations

import pytest

from channels.base import SHARE_PHONE_ACTION, Card, CardAction, CardField, OutgoingMessage
from channels.slack.blocks import render
from channels.slack.mrkdwn import to_mrkdwn


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("plain words", "plain words"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("<!channel> look", "&lt;!channel&gt; look"),  # no one gets pinged by the model
        ("**bold** and __also__", "*bold* and *also*"),
        ("*italic* and **bold**", "_italic_ and *bold*"),
        ("~~gone~~", "~gone~"),
        ("see [the menu](https://x.test/m?a=1&b=2)", "see <https://x.test/m?a=1&amp;b=2|the menu>"),
        ("## Opening **hours**", "*Opening hours*"),
        ("- one\n* two\n  + three", "• one\n• two\n  • three"),
        ("> a quote", "> a quote"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("`**kept**` as code", "`**kept**` as code"),
        ("```\n<b>**raw**</b>\n```", "```\n&lt;b&gt;**raw**&lt;/b&gt;\n```"),
    ],
)
def test_markdown_becomes_mrkdwn(markdown: str, mrkdwn: str):
    assert to_mrkdwn(markdown) == mrkdwn


def test_plain_message_is_text_only():
    assert render(OutgoingMessage("**hi**")) == ("*hi*", None)


def test_card_renders_as_header_fields_sections_and_buttons():
    card = Card(
        title="Lead: Jane <Acme>",
        fields=(CardField("Score", "87"), CardField("Company", "Acme & Co")),
        sections=("**Why:** big order",),
        actions=(
            CardAction("feedback", "Good", "up"),
            CardAction("feedback", "Bad", "down"),
            CardAction(SHARE_PHONE_ACTION, "Share my phone number"),
        ),
    )

    text, blocks = render(OutgoingMessage("Here is the lead.", card=card))

    assert text == "Here is the lead."
    assert blocks is not None
    assert [b["type"] for b in blocks] == [
        "section",
        "header",
        "section",
        "section",
        "actions",
        "actions",
    ]
    assert blocks[1]["text"] == {"type": "plain_text", "text": "Lead: Jane <Acme>"}
    assert blocks[2]["fields"][1]["text"] == "*Company*\nAcme &amp; Co"
    assert blocks[3]["text"]["text"] == "*Why:* big order"
    # action_id must be unique within an actions block: a repeated one starts a new block.
    buttons = [b["elements"] for b in blocks[4:]]
    assert [[(e["action_id"], e["value"]) for e in row] for row in buttons] == [
        [("feedback", "up")],
        [("feedback", "down")],
    ]


def test_card_limits_are_respected():
    card = Card(
        title="T" * 400,
        fields=tuple(CardField(f"f{i}", "v" * 3000) for i in range(12)),
        sections=("word " * 1000,),
        actions=tuple(CardAction(f"a{i}", "L" * 100, "v") for i in range(30)),
    )

    _text, blocks = render(OutgoingMessage("", card=card))

    assert blocks is not None and len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    field_sections = [b for b in blocks if "fields" in b]
    assert [len(b["fields"]) for b in field_sections] == [10, 2]
    assert all(len(f["text"]) <= 2000 for b in field_sections for f in b["fields"])
    assert all(
        len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section" and "text" in b
    )
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]
    assert all(len(e["text"]["text"]) <= 75 for b in actions for e in b["elements"])
