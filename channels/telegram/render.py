"""Rendering an `OutgoingMessage` for Telegram: HTML-escaped text, split parts, keyboards.

Model output is full of ``<``, ``&``, ``*`` and ``_`` that Telegram's entity
parser rejects ("can't parse entities") in Markdown and in unescaped HTML. So
every text is HTML-escaped, and the only markup is ours (a card's bold title).
Telegram counts its 4,096 characters *after* entity parsing, so a text is split
first and escaped after: ``&lt;`` costs one character, not four.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from channels.base import SHARE_PHONE_ACTION, Card, CardAction, OutgoingMessage
from channels.text import shorten, split_text

log = logging.getLogger(__name__)

#: Telegram's limit on one message's text, counted after entity parsing.
MAX_TEXT_LENGTH = 4096
#: Telegram's limit on a button's ``callback_data``, in bytes.
MAX_CALLBACK_DATA_BYTES = 64
#: Between a card action's id and its value in ``callback_data``.
CALLBACK_SEPARATOR = "|"

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


@dataclass(frozen=True, slots=True)
class Part:
    """One Telegram message: its HTML, the same text unformatted, and its keyboard.

    ``plain`` is what is sent (without ``parse_mode``) when Telegram still
    cannot parse ``html``.
    """

    html: str
    plain: str
    markup: Markup | None = None


def escape(text: str) -> str:
    """``text`` safe for ``parse_mode=HTML``: only ``<``, ``>`` and ``&`` need escaping."""
    return html.escape(text, quote=False)


def card_plain(card: Card) -> str:
    """The card as plain text (what the reader sees of `card_html`)."""
    return card.as_text()


def card_html(card: Card) -> str:
    """The card with a bold title and bold labels; everything else escaped."""
    lines = [f"<b>{escape(card.title)}</b>"]
    lines += [f"<b>{escape(f.label)}:</b> {escape(f.value)}" for f in card.fields]
    lines += [escape(section) for section in card.sections]
    return "\n".join(lines)


def encode_callback(action: CardAction) -> str | None:
    """``action_id|value`` for ``callback_data``, or None when it exceeds 64 bytes."""
    if CALLBACK_SEPARATOR in action.action_id:
        return None
    data = f"{action.action_id}{CALLBACK_SEPARATOR}{action.value}"
    return data if len(data.encode()) <= MAX_CALLBACK_DATA_BYTES else None


def decode_callback(data: str) -> tuple[str, str]:
    """The action id and value `encode_callback` packed into ``data``."""
    action_id, _, value = data.partition(CALLBACK_SEPARATOR)
    return action_id, value


def keyboard(card: Card | None, *, inline_only: bool = False) -> Markup | None:
    """The card's buttons as a Telegram keyboard, or None when it has none.

    A share-phone action becomes a one-time reply keyboard with a
    ``request_contact`` button: the only way a bot may ask for a number.
    A message carries one keyboard, so when a card also has other actions,
    they win as inline buttons and the share-phone button is left out (as
    `channels.base.SHARE_PHONE_ACTION` allows). ``inline_only`` (an edit:
    editMessageText takes inline keyboards only) leaves it out too.
    """
    if card is None or not card.actions:
        return None
    share = [a for a in card.actions if a.action_id == SHARE_PHONE_ACTION]
    others = [a for a in card.actions if a.action_id != SHARE_PHONE_ACTION]
    if share and not others and not inline_only:
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=share[0].label, request_contact=True)]],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    buttons = []
    for action in others:
        data = encode_callback(action)
        if data is None:
            # Telegram refuses the whole message over one bad button: drop the button.
            log.warning("button %r left out: callback_data over 64 bytes", action.action_id)
            continue
        buttons.append([InlineKeyboardButton(text=action.label, callback_data=data)])
    return InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None


def render(message: OutgoingMessage, *, limit: int = MAX_TEXT_LENGTH) -> list[Part]:
    """``message`` as the Telegram messages to send, in order; the keyboard goes on the last.

    The text is split at natural boundaries into parts of at most ``limit``
    visible characters, then escaped; the card follows the text in the last
    part when it fits, else in a part of its own.
    """
    texts = split_text(message.text, limit)
    parts = [Part(escape(text), text) for text in texts]
    card = message.card
    if card is not None:
        plain, marked = shorten(card_plain(card), limit), card_html(card)
        if len(plain) < len(card_plain(card)):  # a card longer than a message: plain text
            marked = escape(plain)
        if parts and len(parts[-1].plain) + 2 + len(plain) <= limit:
            last = parts.pop()
            parts.append(Part(f"{last.html}\n\n{marked}", f"{last.plain}\n\n{plain}"))
        else:
            parts.append(Part(marked, plain))
    markup = keyboard(card)
    if parts and markup is not None:
        last = parts.pop()
        parts.append(Part(last.html, last.plain, markup))
    return parts


def render_edit(message: OutgoingMessage, *, limit: int = MAX_TEXT_LENGTH) -> Part:
    """``message`` as one edited message: shortened to ``limit``, inline buttons only."""
    plain = message.text.strip()
    marked = escape(plain)
    if message.card is not None:
        plain = f"{plain}\n\n{card_plain(message.card)}" if plain else card_plain(message.card)
        marked = f"{marked}\n\n{card_html(message.card)}" if marked else card_html(message.card)
    if len(plain) > limit:
        plain = shorten(plain, limit)
        marked = escape(plain)
    return Part(marked, plain, keyboard(message.card, inline_only=True))
