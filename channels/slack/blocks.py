"""`OutgoingMessage` → Slack message: ``mrkdwn`` text and, for a card, Block Kit blocks.

Block Kit limits (Slack rejects the whole message with ``invalid_blocks`` when
one is broken): 50 blocks a message, 3,000 characters a section text, 150 a
header, 10 fields of 2,000 characters a section, 25 elements an actions
block, 75 characters a button label, 2,000 a button value, and ``action_id``
unique within its block.
"""

from __future__ import annotations

from typing import Any

from channels.base import SHARE_PHONE_ACTION, Card, CardAction, OutgoingMessage
from channels.slack.mrkdwn import escape, to_mrkdwn
from channels.text import shorten, split_text

MAX_BLOCKS = 50
SECTION_TEXT_LIMIT = 3000
HEADER_LIMIT = 150
FIELDS_PER_SECTION = 10
FIELD_LIMIT = 2000
BUTTONS_PER_BLOCK = 25
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000

Block = dict[str, Any]


def render(message: OutgoingMessage) -> tuple[str, list[Block] | None]:
    """The ``text`` and ``blocks`` arguments of ``chat.postMessage`` for ``message``.

    A plain message is ``mrkdwn`` text alone. With a card, ``text`` stays as
    the notification fallback and the blocks show the text, then the card.
    """
    text = to_mrkdwn(message.text)
    card = message.card
    if card is None:
        return text, None
    blocks = section_blocks(text) if text.strip() else []
    blocks += card_blocks(card)
    return text or escape(card.title), blocks[:MAX_BLOCKS]


def section_blocks(mrkdwn: str) -> list[Block]:
    """One section per 3,000 characters of ``mrkdwn`` text."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": part}}
        for part in split_text(mrkdwn, SECTION_TEXT_LIMIT)
    ]


def card_blocks(card: Card) -> list[Block]:
    """A header, the fields side by side, the sections, and the buttons Slack can show."""
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": shorten(card.title, HEADER_LIMIT)},
        }
    ]
    fields = [
        {
            "type": "mrkdwn",
            "text": shorten(f"*{escape(f.label)}*\n{to_mrkdwn(f.value)}", FIELD_LIMIT),
        }
        for f in card.fields
    ]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]})
    for section in card.sections:
        blocks += section_blocks(to_mrkdwn(section))
    blocks += actions_blocks(card.actions)
    return blocks


def actions_blocks(actions: tuple[CardAction, ...]) -> list[Block]:
    """Buttons in actions blocks; a repeated ``action_id`` starts a new block (Slack's rule)."""
    # Slack cannot ask for a phone number: that button is Telegram's alone.
    buttons = [a for a in actions if a.action_id != SHARE_PHONE_ACTION]
    blocks: list[Block] = []
    current: list[Block] = []
    seen: set[str] = set()
    for action in buttons:
        if action.action_id in seen or len(current) == BUTTONS_PER_BLOCK:
            blocks.append({"type": "actions", "elements": current})
            current, seen = [], set()
        seen.add(action.action_id)
        button: Block = {
            "type": "button",
            "text": {"type": "plain_text", "text": shorten(action.label, BUTTON_LABEL_LIMIT)},
            "action_id": action.action_id,
        }
        if action.value:
            button["value"] = action.value[:BUTTON_VALUE_LIMIT]
        current.append(button)
    if current:
        blocks.append({"type": "actions", "elements": current})
    return blocks
