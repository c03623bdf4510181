"""The whole bot with SMS on, served over HTTP, sending to a fake Twilio: for SMS tests.

Twilio's public URL is deliberately not the local server's URL: signatures
must be checked against the URL Twilio was given, not ``request.url``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.testing.served import http_client, running_runtime
from channels.sms.outbound import SmsChannel
from channels.sms.testing import FakeTwilio, TwilioSigner, inbound_form, run_fake_twilio
from memory.db import Database

PUBLIC_URL = "https://bot.example.test"
FROM_NUMBER = "+15550000000"
CUSTOMER = "+15551234567"
HELP_TEXT = "Acme front desk: call +1 555 010 0000. Reply STOP to opt out."


@dataclass
class ScriptedModel:
    """Replies by question (``replies[text]``), else ``You said: <text>``.

    It answers only once ``gate`` is set (set from the start): clearing it holds
    every answer, to show what happens before the model is done.
    """

    replies: dict[str, str] = field(default_factory=dict)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    #: Replies written in pieces: the first at once, each later one once ``gate`` is set,
    #: so a test sees what is shown while the model is still writing (`FunctionProvider.stream`).
    pieces: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.gate.set()

    def __call__(self, messages: Sequence[ChatMessage]) -> Any:
        question = messages[-1].content
        if question in self.pieces:
            return self._write(self.pieces[question])
        return self._reply(question)

    async def _reply(self, question: str) -> str:
        await self.gate.wait()
        return self.replies.get(question, f"You said: {question}")

    async def _write(self, pieces: list[str]) -> AsyncIterator[str]:
        for i, piece in enumerate(pieces):
            if i:
                await self.gate.wait()
            yield piece


@dataclass
class SmsBot:
    """The bot, its HTTP client, the fake Twilio it sends to, and a webhook signer."""

    runtime: Runtime
    http: httpx.AsyncClient
    fake: FakeTwilio
    signer: TwilioSigner
    model: ScriptedModel

    @property
    def channel(self) -> SmsChannel:
        """The SMS channel the bot answers through."""
        return cast(SmsChannel, self.runtime.orchestrator.outbox.channels["sms"])

    async def post(
        self, path: str, form: dict[str, str], *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST ``form`` to ``path``, signed for the public URL unless ``headers`` are given."""
        if headers is None:
            headers = self.signer.headers(path, form)
        return await self.http.post(path, data=form, headers=headers)

    async def text(
        self, body: str, *, sender: str = CUSTOMER, sid: str | None = None
    ) -> httpx.Response:
        """A signed inbound SMS, as Twilio posts it."""
        return await self.post("/sms/inbound", inbound_form(body, sender=sender, sid=sid))

    async def settle(self) -> None:
        """Wait for every answer in progress to be sent."""
        assert await self.runtime.inbox.work.drain(10)


@asynccontextmanager
async def running_sms_bot(database: Database, **overrides: object) -> AsyncIterator[SmsBot]:
    """Serve the bot with SMS on (Twilio pointed at a fake) on ``database``.

    ``overrides`` are further settings (``dev_skip_webhook_verification=True``).
    """
    model = ScriptedModel()
    async with (
        run_fake_twilio() as fake,
        running_runtime(
            database,
            FunctionProvider(model, model="scripted"),
            twilio_account_sid=fake.account_sid,
            twilio_auth_token=fake.auth_token,
            twilio_from_number=FROM_NUMBER,
            twilio_public_url=PUBLIC_URL,
            twilio_api_base_url=fake.url,
            sms_help_text=HELP_TEXT,
            **overrides,
        ) as runtime,
        http_client(runtime) as http,
    ):
        yield SmsBot(runtime, http, fake, TwilioSigner(fake.auth_token, PUBLIC_URL), model)
