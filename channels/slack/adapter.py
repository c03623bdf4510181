"""`SlackAdapter`: Slack wired into the app through slack-bolt's `AsyncApp`.

``POST /slack/events`` takes events, slash commands and button clicks (or
Socket Mode does, for local use). Each listener translates the payload,
hands it to the inbox (which stores it) and only then acknowledges, so Slack's
3-second limit holds whatever the model does: the answer comes later through
`SlackChannel`.

Every request must come from the pinned workspace (`channels.slack.workspace`):
another workspace's is refused with 403 before bolt sees it. Each sender is
looked up (``users.info``) and marked on the team only when they belong to
that workspace and are not external; the bot's `TeamPolicy` reads that mark.

bolt runs with ``process_before_response=True``: the listeners return as
soon as the message is stored, and the HTTP answer (with the ack text) goes
out when they return. Without it bolt acknowledges from a side task it polls
every 10 ms, and the request would not wait for the message to be stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from channels.adapter import ChannelAdapter
from channels.base import Inbox, IncomingMessage
from channels.errors import ChannelError
from channels.slack import inbound
from channels.slack.config import SlackConfig
from channels.slack.mrkdwn import to_mrkdwn
from channels.slack.outbound import SlackChannel, web_client
from channels.slack.users import Profile, UserProfiles
from channels.slack.verify import is_signed, parse_payload
from channels.slack.workspace import PinnedWorkspace, WorkspacePin

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
#: How long `start` waits for the Socket Mode WebSocket.
SOCKET_CONNECT_SECONDS = 15.0


class SlackAdapter(ChannelAdapter):
    """Slack: events, slash commands and actions in; `SlackChannel` out."""

    name = "slack"

    def __init__(self, config: SlackConfig, inbox: Inbox) -> None:
        self.config = config
        self.inbox = inbox
        self.client = web_client(config.bot_token, config.api_base_url)
        self.users = UserProfiles(self.client)
        self.workspace = PinnedWorkspace(
            WorkspacePin(config.team_id, config.enterprise_id, config.app_id), self.client
        )
        self._channel = SlackChannel(self.client, users=self.users)
        self._verifier = SignatureVerifier(config.signing_secret) if config.signing_secret else None
        self.app = AsyncApp(
            name="frontdesk-bot",  # without it bolt walks the call stack to find a name
            client=self.client,
            logger=logging.getLogger("channels.slack.bolt"),
            process_before_response=True,
            # Our route checks X-Slack-Signature over the raw body before bolt parses
            # anything (bolt would check it only after parsing, and we hand bolt a
            # re-encoded body it could not check anyway; see _events). Socket Mode
            # requests come over our own authenticated WebSocket and are not signed.
            request_verification_enabled=False,
        )
        self._socket: Any = None
        # Socket Mode requests skip our route: the same workspace check runs in bolt.
        self.app.use(self._pinned_only)
        self._register_listeners()

    @property
    def channel(self) -> SlackChannel:
        """Where the orchestrator sends Slack replies."""
        return self._channel

    def router(self) -> APIRouter:
        """``POST /slack/events``: events, slash commands and interactivity."""
        router = APIRouter()
        router.add_api_route(EVENTS_PATH, self._events, methods=["POST"], include_in_schema=False)
        return router

    def describe(self) -> dict[str, Any]:
        """``{"mode": "socket"}`` or ``{"mode": "events"}`` (HTTP Events API)."""
        return {"mode": "socket" if self.config.socket_mode else "events"}

    async def start(self) -> None:
        """Learn the workspace if it is not set; connect to Socket Mode when configured.

        Over HTTP a failed ``auth.test`` is tried again at the next request (which
        is refused meanwhile); Socket Mode, which needs Slack to start at all, fails.
        """
        pin = await self.workspace.get()
        if not self.config.socket_mode or self._socket is not None:
            return
        if pin is None:
            raise ChannelError(
                "Slack auth.test failed: the workspace to serve is not known "
                "(set SLACK_TEAM_ID, or check SLACK_BOT_TOKEN and the network)"
            )
        # Imported here: aiohttp's Socket Mode client loads only when it is used.
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self._socket = AsyncSocketModeHandler(
            self.app, self.config.app_token, web_client=self.client
        )
        try:
            # slack_sdk retries a failed connection forever (a bad token included);
            # a bot that cannot connect should say so at start, not hang there.
            await asyncio.wait_for(self._socket.connect_async(), SOCKET_CONNECT_SECONDS)
        except TimeoutError:
            await self.aclose()
            raise ChannelError(
                f"Slack Socket Mode did not connect within {SOCKET_CONNECT_SECONDS:.0f} s: "
                "check SLACK_APP_TOKEN (xapp-..., with connections:write) and the network"
            ) from None
        log.info("Slack Socket Mode connected")

    async def aclose(self) -> None:
        """Disconnect Socket Mode (HTTP mode holds no connection between calls)."""
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()

    async def _events(self, request: Request) -> Response:
        body = await request.body()
        if self.config.verify_requests and (
            self._verifier is None or not is_signed(self._verifier, body, request.headers)
        ):
            return JSONResponse({"error": "invalid or missing Slack signature"}, status_code=401)
        payload = parse_payload(body, request.headers.get("content-type"))
        if payload is None:
            return JSONResponse({"error": "malformed Slack request body"}, status_code=400)
        refused = await self.workspace.refusal(payload)
        if refused is not None:
            return JSONResponse({"error": refused[1]}, status_code=refused[0])
        # bolt reads a form body as an interactivity payload whenever the text
        # "payload" appears anywhere in it, so `/ask what is a payload` would reach
        # bolt empty (slack-bolt 1.30 request/internals.py parse_body). Handing bolt
        # the payload we already parsed, as JSON, gives it exactly what Slack sent.
        headers: dict[str, str | Sequence[str]] = {
            k: v for k, v in request.headers.items() if k != "content-length"
        }
        headers["content-type"] = "application/json"
        bolt_request = AsyncBoltRequest(
            body=json.dumps(payload), query=str(request.query_params), headers=headers
        )
        # The rest is what bolt's FastAPI adapter (AsyncSlackRequestHandler) does.
        return to_starlette_response(await self.app.async_dispatch(bolt_request))

    async def _pinned_only(self, body: dict[str, Any], next: Any) -> BoltResponse | None:
        # bolt middleware: over HTTP the route has refused already; Socket Mode has not.
        # There the request is acknowledged (an unacknowledged envelope is sent again)
        # and dropped: no listener runs.
        if await self.workspace.refusal(body) is not None:
            return BoltResponse(status=200, body="")
        return await next()

    async def _member(self, user_id: str, *, user_team: Any = None) -> tuple[Profile, bool]:
        """The person's profile, and whether they are on the team (fail closed)."""
        profile = await self.users.lookup(user_id) if user_id else Profile()
        return profile, self.workspace.admits(profile, user_team=user_team)

    def _register_listeners(self) -> None:
        app = self.app
        app.event("app_mention")(self._on_message_event)
        app.event("message")(self._on_message_event)
        app.event("reaction_added")(self._on_reaction)
        app.event("reaction_removed")(self._on_reaction)
        # Any other event we are sent: acknowledge, or Slack retries it and then
        # disables the subscription (bolt answers an unhandled request 404).
        app.event(re.compile(".*"))(_ignore)
        app.command(re.compile(r"^/.+"))(self._on_command)
        app.action(re.compile(".*"))(self._on_action)

    async def _on_message_event(
        self,
        body: dict[str, Any],
        event: dict[str, Any],
        context: AsyncBoltContext,
        request: AsyncBoltRequest,
    ) -> None:
        bot_user_id = context.bot_user_id
        ops = self.config.ops_channel
        if ops and event.get("channel") == ops and event.get("type") == "message":
            await self._team_reply(event, bot_user_id)
            return
        reason = inbound.ignore_reason(event, bot_user_id=bot_user_id)
        if reason is not None:
            log.debug("Slack %s event ignored: %s", event.get("type"), reason)
            return
        retry = (request.headers.get("x-slack-retry-num") or [""])[0] or None
        profile, team = await self._member(
            str(event.get("user") or ""), user_team=event.get("user_team")
        )
        incoming = inbound.from_event(
            event,
            event_id=body.get("event_id"),
            bot_user_id=bot_user_id,
            profile=profile,
            team_member=team,
            retry_num=retry,
        )
        if incoming is not None:
            await self._deliver(incoming)

    async def _on_reaction(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        # A thumbs up or down on one of our replies rates it. Stored before the
        # ack, like a message, and idempotent, so a Slack retry changes nothing.
        reaction = inbound.from_reaction(event, bot_user_id=context.bot_user_id)
        if reaction is None:
            log.debug("Slack %s :%s: ignored", event.get("type"), event.get("reaction"))
            return
        # Ratings are the team's judgement of the bot: a stranger's thumb is not one.
        _, team = await self._member(reaction.rater.value, user_team=event.get("user_team"))
        if not team:
            log.info("Slack reaction ignored: the person is not on the team")
            return
        await self.inbox.record_reaction(reaction)

    async def _team_reply(self, event: dict[str, Any], bot_user_id: str | None) -> None:
        # Every message of the ops channel reaches us (message.channels); only a
        # person's reply in a thread is for the bot: it may answer a handed-off customer.
        profile, team = await self._member(
            str(event.get("user") or ""), user_team=event.get("user_team")
        )
        incoming = inbound.from_thread_reply(
            event,
            ops_channel=self.config.ops_channel,
            bot_user_id=bot_user_id,
            profile=profile,
            team_member=team,
        )
        if incoming is None:
            return
        if not team:
            # A stranger (Slack Connect) or guest in the ops channel must never speak to
            # a customer as the business: not relayed, not stored.
            log.warning("ops thread reply not relayed: its author is not on the team")
            return
        await self._deliver(incoming)

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        profile, team = await self._member(str(command.get("user_id") or ""))
        receipt = await self.inbox.deliver(
            inbound.from_command(command, profile=profile, team_member=team)
        )
        # Acknowledged after deliver returned: the command is stored, the answer follows.
        if receipt.ack_text and not receipt.duplicate:
            await ack(text=to_mrkdwn(receipt.ack_text), response_type="ephemeral")
        else:
            await ack()

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        user = body.get("user") or {}
        profile, team = await self._member(str(user.get("id") or ""), user_team=user.get("team_id"))
        for incoming in inbound.from_actions(body, profile=profile, team_member=team):
            await self._deliver(incoming)
        await ack()

    async def _deliver(self, incoming: IncomingMessage) -> None:
        receipt = await self.inbox.deliver(incoming)
        if receipt.duplicate:
            log.info("Slack re-delivery of %s ignored", incoming.external_id)


async def _ignore(ack: AsyncAck) -> None:
    await ack()
