"""A customer handed to a person and back, over real HTTP: SMS (fake Twilio) ↔ Slack (fake Slack).

Customer SMS routed ``human`` → alert in the ops channel with the history and
a Resolve button → the customer's next SMS is forwarded into the alert's
thread, unanswered → a team member's reply in that thread reaches the
customer's phone → Resolve → the bot answers again.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from agents.providers.function import FunctionProvider
from agents.routing.base import HUMAN_ROUTE
from bot.orchestrator import HANDOFF_MESSAGE
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.testing.served import http_client
from bot.testing.slack_bot import FORM, SlackBot
from bot.testing.sms_bot import CUSTOMER, FROM_NUMBER, PUBLIC_URL, ScriptedModel
from channels.slack.testing import BOT_TOKEN, run_fake_slack
from channels.slack.testing.inbound import SIGNING_SECRET, action_body
from channels.sms.testing import FakeTwilio, TwilioSigner, inbound_form, run_fake_twilio
from memory.db import Database
from memory.models import Conversation, Message
from tests.support.routers import ScriptedRouter

OPS = "COPS"
TEAMMATE = "U7"
ASK_FOR_PERSON = "Can I talk to a real person please"


@dataclass
class Desk:
    """The bot with SMS and Slack on, the two fakes, and the model's call count."""

    runtime: Runtime
    slack: SlackBot
    twilio: FakeTwilio
    signer: TwilioSigner
    model: FunctionProvider

    async def text(self, body: str) -> None:
        """The customer texts ``body``; wait until the bot has done what it does with it."""
        form = inbound_form(body, sender=CUSTOMER)
        response = await self.slack.http.post(
            "/sms/inbound", data=form, headers=self.signer.headers("/sms/inbound", form)
        )
        assert response.status_code == 200, response.text
        await self.settle()

    async def settle(self) -> None:
        assert await self.runtime.inbox.work.drain(10)

    async def conversation(self) -> Conversation:
        async with self.runtime.db.sessions() as session:
            return (
                await session.scalars(select(Conversation).where(Conversation.channel == "sms"))
            ).one()


@asynccontextmanager
async def handoff_desk(database: Database) -> AsyncIterator[Desk]:
    router = ScriptedRouter({ASK_FOR_PERSON: (HUMAN_ROUTE, 0.9)})
    model = FunctionProvider(ScriptedModel(), model="scripted")
    async with run_fake_slack() as slack, run_fake_twilio() as twilio:
        slack.add_user(TEAMMATE, name="Sam Chef")
        settings = load_settings(
            _env_file=None,
            database_url=database.url,
            router_min_confidence=0.45,
            router_embeddings=False,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_base_url=slack.api_url,
            slack_ops_channel=OPS,
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.auth_token,
            twilio_from_number=FROM_NUMBER,
            twilio_public_url=PUBLIC_URL,
            twilio_api_base_url=twilio.url,
        )
        runtime = await Runtime.start(settings, provider=model, router=router, db=database)
        try:
            async with http_client(runtime) as http:
                yield Desk(
                    runtime,
                    SlackBot(runtime=runtime, http=http, fake=slack),
                    twilio,
                    TwilioSigner(twilio.auth_token, PUBLIC_URL),
                    model,
                )
        finally:
            await runtime.aclose(drain_seconds=10, keep_database=True)


def thread_reply(text: str, *, thread_ts: str, ts: str) -> dict[str, Any]:
    """A ``message.channels`` event: a person answering in a thread of the ops channel."""
    return {
        "type": "message",
        "channel": OPS,
        "channel_type": "channel",
        "user": TEAMMATE,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
    }


async def test_a_customer_goes_to_a_person_and_back(database: Database):
    async with handoff_desk(database) as desk:
        await desk.text("Do you cater weddings?")
        assert desk.twilio.bodies == ["You said: Do you cater weddings?"]

        # 1. Routed human: the customer is told, the team is alerted with the history.
        await desk.text(ASK_FOR_PERSON)
        assert desk.twilio.bodies[-1] == HANDOFF_MESSAGE
        [alert] = [p for p in desk.slack.fake.posted if p["channel"] == OPS]
        blocks = json.dumps(alert["blocks"])
        assert "needs a person" in alert["text"]
        for shown in ("Do you cater weddings?", "You said: Do you cater weddings?", ASK_FOR_PERSON):
            assert shown in blocks
        assert f"phone:{CUSTOMER}" in blocks and "sms" in blocks
        conversation = await desk.conversation()
        assert conversation.handed_off_at is not None
        assert "asked for a person" in (conversation.handoff_reason or "")
        [button] = [e for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert (button["action_id"], button["value"]) == ("bot-release", str(conversation.id))
        channel_id, _, alert_ts = (conversation.ops_thread or "").partition(":")
        assert channel_id == OPS and alert_ts

        # 2. While handed off the bot is silent; the message shows in the alert's thread.
        calls_before = len(desk.model.calls)
        await desk.text("Hello? Is anyone there?")
        assert len(desk.twilio.bodies) == 2
        assert len(desk.model.calls) == calls_before
        [forwarded] = [p for p in desk.slack.fake.posted if p.get("thread_ts") == alert_ts]
        assert "Hello? Is anyone there?" in forwarded["text"]

        # 3. A teammate's reply in the thread reaches the customer's phone, by a person.
        reply = "Hi, this is Sam. Yes, we can do a wedding of 80 on June 6."
        response = await desk.slack.event(thread_reply(reply, thread_ts=alert_ts, ts="9.000100"))
        assert response.status_code == 200
        await desk.settle()
        sms = await desk.twilio.wait_for_messages(3)
        assert (sms[-1]["Body"], sms[-1]["To"]) == (reply, CUSTOMER)
        async with desk.runtime.db.sessions() as session:
            relayed = (await session.scalars(select(Message).where(Message.text == reply))).all()
        [out] = [m for m in relayed if m.direction == "out"]
        assert out.agent is None and out.channel == "sms"
        assert out.meta["by"] == "team" and out.meta["author"] == "Sam Chef"
        assert out.conversation_id == conversation.id

        # 4. Resolve gives the conversation back and says so in the thread.
        click = action_body(
            "bot-release",
            str(conversation.id),
            response_url=desk.slack.fake.response_url(),
            user_id=TEAMMATE,
            channel_id=OPS,
        )
        assert (await desk.slack.post(click, content_type=FORM)).status_code == 200
        await desk.settle()
        assert (await desk.conversation()).handed_off_at is None
        in_thread = [p["text"] for p in desk.slack.fake.posted if p.get("thread_ts") == alert_ts]
        assert any("Resolved by Sam Chef" in t for t in in_thread)
        [edited] = await desk.slack.fake.wait_calls("chat.update")
        assert edited["ts"] == alert_ts and "resolved by Sam Chef" in edited["text"]

        # 5. The bot answers again.
        await desk.text("What is on the menu?")
        assert desk.twilio.bodies[-1] == "You said: What is on the menu?"
        assert len(desk.twilio.bodies) == 4
