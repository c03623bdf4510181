"""The exception family of `bot`."""

from __future__ import annotations


class BotError(Exception):
    """Root of the errors raised by `bot`."""


class SettingsError(BotError):
    """A setting is missing or has a bad value; the message names it."""


class InvalidMessageError(BotError, ValueError):
    """An incoming message the bot cannot accept (empty, too long, bad sender)."""
