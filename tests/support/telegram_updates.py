"""Telegram updates as the Bot API sends them (webhook bodies and getUpdates results)."""

from __future__ import annotations

import itertools
import time
from typing import Any

#: The customer of most tests: a private chat's id is the user's id.
USER_ID = 4242
#: Message ids follow update ids, so an update posted twice carries the same message,
#: as when Telegram re-sends one; ``message_id=`` sets another.
MESSAGE_ID_OFFSET = 1000
_card_message_ids = itertools.count(50_000)


def user(user_id: int = USER_ID, first_name: str = "Ann", last_name: str = "Lee") -> dict:
    """A Telegram ``User``."""
    return {"id": user_id, "is_bot": False, "first_name": first_name, "last_name": last_name}


def message_update(
    update_id: int, *, user_id: int = USER_ID, message_id: int | None = None, **content: Any
) -> dict:
    """An update with a message in the user's private chat; ``content`` is text, contact..."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id or MESSAGE_ID_OFFSET + update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
            "from": user(user_id),
            **content,
        },
    }


def text_update(update_id: int, text: str, *, user_id: int = USER_ID) -> dict:
    """A text message (or a ``/command``)."""
    return message_update(update_id, user_id=user_id, text=text)


def contact_update(
    update_id: int, phone: str, *, contact_user_id: int | None = USER_ID, user_id: int = USER_ID
) -> dict:
    """A shared contact: the sender's own when ``contact_user_id`` is the sender's id."""
    contact: dict[str, Any] = {"phone_number": phone, "first_name": "Ann"}
    if contact_user_id is not None:
        contact["user_id"] = contact_user_id
    return message_update(update_id, user_id=user_id, contact=contact)


def photo_update(update_id: int, *, user_id: int = USER_ID) -> dict:
    """A photo (the bot reads only text)."""
    photo = {"file_id": "f1", "file_unique_id": "u1", "width": 10, "height": 10}
    return message_update(update_id, user_id=user_id, photo=[photo])


def callback_update(update_id: int, data: str, *, user_id: int = USER_ID) -> dict:
    """A press on an inline button whose ``callback_data`` is ``data``."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb-{update_id}",
            "from": user(user_id),
            "chat_instance": "ci-1",
            "data": data,
            "message": {
                "message_id": next(_card_message_ids),
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
                "text": "a card",
            },
        },
    }
