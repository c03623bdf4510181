"""Errors of the channel adapters; `ChannelError` is the root."""

from __future__ import annotations


class ChannelError(Exception):
    """Something a channel could not do."""


class InboxUnavailableError(ChannelError):
    """The bot could not store a message now (its database is unreachable): worth a retry."""


class RecipientOptedOutError(ChannelError):
    """A send to someone who opted out (SMS STOP) was refused before reaching the vendor."""


class ChannelSendError(ChannelError):
    """The vendor refused or failed a send, after rate limits were waited out."""

    def __init__(self, message: str, *, channel: str, status: int | None = None) -> None:
        super().__init__(message)
        self.channel = channel
        self.status = status
