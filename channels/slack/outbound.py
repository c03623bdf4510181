"""`SlackChannel`: Slack's outbound side (``chat.postMessage``, ``chat.update``, ``response_url``).

Rate limits: slack_sdk's own `AsyncRateLimitErrorRetryHandler` waits out a 429
for its ``Retry-After`` and sends again, inside the call, so the caller keeps
its conversation's turn and order holds.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from channels.base import Channel, IncomingMessage, OutgoingMessage, Person
from channels.errors import ChannelSendError
from channels.slack.blocks import render
from channels.slack.inbound import CHANNEL, parse_key
from channels.slack.users import UserProfiles

log = logging.getLogger(__name__)

#: Seconds a Web API call may take; slack_sdk's default is 30.
API_TIMEOUT = 10
#: Messages sent through a response_url whose URL is kept, so they can be edited.
#: A response_url lives 30 minutes; this bounds the memory, not the lifetime.
EDITABLE_RESPONSES = 2000
#: The prefix of the ids of messages sent through a response_url (they have no ts).
RESPONSE_PREFIX = "response:"


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry a dropped connection once and wait out up to three 429s."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
    ]


def web_client(token: str, base_url: str) -> AsyncWebClient:
    """The Web API client, pointed at ``base_url`` (Slack's, GovSlack's, or a test's)."""
    return AsyncWebClient(
        token=token, base_url=base_url, timeout=API_TIMEOUT, retry_handlers=retry_handlers()
    )


class SlackChannel(Channel):
    """Sends, edits and answers on Slack; renders cards as Block Kit."""

    name = CHANNEL
    # A section block holds 3,000 characters; longer replies are split before sending.
    max_text_length = 3000

    def __init__(self, client: AsyncWebClient, *, users: UserProfiles | None = None) -> None:
        self.client = client
        # users.info, cached: /enrich @user learns the person's name and e-mail.
        self.users = users or UserProfiles(client)
        # sent id → (response_url, private) of messages an edit may replace.
        self._responses: OrderedDict[str, tuple[str, bool]] = OrderedDict()

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        """Post in the conversation's channel (and thread); return the message ``ts``."""
        channel_id, thread_ts = parse_key(conversation_key)
        text, blocks = render(message)
        response = await self._call(
            "chat.postMessage",
            channel=channel_id,
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
            unfurl_links=False,
        )
        return str(response["ts"])

    async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage) -> str:
        """Edit a message we posted (``chat.update``), keeping its ``ts``.

        A message sent through a command's ``response_url`` has no ``ts``: it is
        replaced through the same URL (``replace_original``), which Slack allows
        five times in 30 minutes, counting the first answer.
        """
        if sent_id.startswith(RESPONSE_PREFIX):
            return await self._replace_response(conversation_key, sent_id, message)
        channel_id, _ = parse_key(conversation_key)
        text, blocks = render(message)
        # Without blocks=[] an edit of a card to plain text would keep the old blocks.
        response = await self._call(
            "chat.update", channel=channel_id, ts=sent_id, text=text, blocks=blocks or []
        )
        return str(response.get("ts") or sent_id)

    async def person(self, user_id: str) -> Person | None:
        """The Slack profile of ``user_id`` (the e-mail needs ``users:read.email``)."""
        profile = await self.users.lookup(user_id)
        if profile.name is None and profile.email is None:
            return None
        return Person(name=profile.name, email=profile.email)

    async def reply(self, incoming: IncomingMessage, message: OutgoingMessage) -> str:
        """Answer through the ``response_url`` of a command or click, else in the conversation.

        A private answer is ephemeral: only the asker sees it.
        """
        response_url = incoming.extras.get("response_url")
        if response_url:
            try:
                return await self._respond(str(response_url), message)
            except ChannelSendError as exc:
                # A response_url takes 5 answers within 30 minutes; after that, post instead.
                log.warning("Slack response_url refused (%s); posting instead", exc)
        if message.private:
            return await self._ephemeral(incoming, message)
        return await self.send(incoming.conversation_key, message)

    async def _respond(self, response_url: str, message: OutgoingMessage) -> str:
        # An answer to a button click is a new message, not a replacement of the card.
        await self._post_response(response_url, message, replace_original=False)
        # response_url posts have no ts; the stored reply still needs an id of its own.
        sent_id = f"{RESPONSE_PREFIX}{uuid.uuid4().hex}"
        self._responses[sent_id] = (response_url, message.private)
        while len(self._responses) > EDITABLE_RESPONSES:
            self._responses.popitem(last=False)
        return sent_id

    async def _replace_response(
        self, conversation_key: str, sent_id: str, message: OutgoingMessage
    ) -> str:
        known = self._responses.get(sent_id)
        if known is None:  # forgotten (a restart): say it anew instead
            return await self.send(conversation_key, message)
        response_url, private = known
        # The replacement keeps the visibility of the original message.
        await self._post_response(
            response_url, replace(message, private=private), replace_original=True
        )
        return sent_id

    async def _post_response(
        self, response_url: str, message: OutgoingMessage, *, replace_original: bool
    ) -> None:
        text, blocks = render(message)
        webhook = AsyncWebhookClient(
            response_url, timeout=API_TIMEOUT, retry_handlers=retry_handlers()
        )
        response = await webhook.send(
            text=text,
            blocks=blocks,
            response_type="ephemeral" if message.private else "in_channel",
            replace_original=replace_original,
        )
        if response.status_code != 200:
            raise ChannelSendError(
                f"Slack response_url answered {response.status_code}: {response.body[:200]}",
                channel=CHANNEL,
                status=response.status_code,
            )

    async def _ephemeral(self, incoming: IncomingMessage, message: OutgoingMessage) -> str:
        channel_id, thread_ts = parse_key(incoming.conversation_key)
        text, blocks = render(message)
        response = await self._call(
            "chat.postEphemeral",
            channel=channel_id,
            user=incoming.extras.get("user_id") or incoming.sender.value,
            thread_ts=thread_ts,
            text=text,
            blocks=blocks,
        )
        return f"ephemeral:{response.get('message_ts') or uuid.uuid4().hex}"

    async def _call(self, method: str, **arguments: Any) -> Any:
        try:
            return await self.client.api_call(method, json=_without_none(arguments))
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            raise ChannelSendError(
                f"Slack {method} failed: {error or exc}",
                channel=CHANNEL,
                status=exc.response.status_code if exc.response is not None else None,
            ) from exc


def _without_none(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if v is not None}
