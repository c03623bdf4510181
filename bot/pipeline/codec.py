"""An `IncomingMessage` as JSON, stored in the message's ``meta["incoming"]``.

The job carries the message's id and nothing else: whoever answers it (another
process, another machine, the same process after a crash) rebuilds the
message from what was stored with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channels.base import Address, IncomingMessage


def incoming_to_json(incoming: IncomingMessage) -> dict[str, Any]:
    """What `incoming_from_json` needs to rebuild ``incoming`` (text and channel are columns)."""
    data: dict[str, Any] = {
        "sender": str(incoming.sender),
        "conversation_key": incoming.conversation_key,
        "received_at": incoming.received_at.isoformat(),
    }
    if incoming.sender_name:
        data["sender_name"] = incoming.sender_name
    if incoming.aliases:
        data["aliases"] = [str(alias) for alias in incoming.aliases]
    if incoming.command:
        data["command"] = incoming.command
        data["arguments"] = incoming.arguments
    if incoming.extras:
        data["extras"] = incoming.extras
    return data


def incoming_from_json(
    data: dict[str, Any], *, channel: str, text: str, external_id: str | None
) -> IncomingMessage:
    """The `IncomingMessage` stored as ``data`` with its row's channel, text and external id."""
    kind, _, value = data["sender"].partition(":")
    return IncomingMessage(
        channel=channel,
        sender=Address(kind, value),
        conversation_key=data["conversation_key"],
        text=text,
        external_id=external_id,
        sender_name=data.get("sender_name"),
        aliases=tuple(_address(alias) for alias in data.get("aliases", ())),
        command=data.get("command"),
        arguments=data.get("arguments", ""),
        received_at=datetime.fromisoformat(data["received_at"]),
        extras=dict(data.get("extras", {})),
    )


def _address(text: str) -> Address:
    kind, _, value = text.partition(":")
    return Address(kind, value)
