"""`ChannelAdapter`: one channel wired into the app.

An adapter owns the three jobs of a channel (verify, translate in, translate
out) and the plumbing they need: the webhook routes `bot serve` mounts, the
outbound `Channel` the orchestrator answers through, and any loop it runs
(Telegram polling, Slack Socket Mode).
"""

from __future__ import annotations

import abc
from typing import Any

from fastapi import APIRouter

from channels.base import Channel


class ChannelAdapter(abc.ABC):
    """A channel that is on: its sender, its webhook routes, its lifecycle."""

    #: The channel's name: ``slack``, ``telegram``, ``sms``.
    name: str

    @property
    @abc.abstractmethod
    def channel(self) -> Channel:
        """The outbound side, which the orchestrator sends replies through."""

    @abc.abstractmethod
    def router(self) -> APIRouter:
        """The webhook routes to mount on the app (verified before anything is parsed)."""

    async def start(self) -> None:  # noqa: B027 - most adapters have nothing to start
        """Start loops the channel needs besides webhooks (polling, Socket Mode)."""

    async def aclose(self) -> None:  # noqa: B027 - most adapters hold nothing to close
        """Stop loops and close HTTP sessions."""

    def describe(self) -> dict[str, Any]:
        """What `/healthz` shows for this channel, e.g. ``{"mode": "webhook"}``."""
        return {"mode": "webhook"}
