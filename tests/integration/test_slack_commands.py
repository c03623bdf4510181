"""Slack over real HTTP: commands and buttons acked in time and answered after; requests checked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

import pytest

from agents.providers.base import ChatMessage
from agents.providers.function import FunctionProvider
from bot.costs.alerts import Alert
from bot.testing.slack_bot import FORM, SlackBot, running_slack_bot
from channels.slack.testing import FakeSlack, run_fake_slack
from channels.slack.testing.inbound import action_body, command_body
from memory.db import Database


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        yield fake


@pytest.fixture
async def bot(
    fake: FakeSlack, database: Database, model: FunctionProvider
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(fake, database, model) as bot:
        yield bot


async def test_ask_is_acked_in_time_while_the_model_takes_5_seconds(
    fake: FakeSlack, database: Database
):
    async def slow(messages: Sequence[ChatMessage]) -> str:
        await asyncio.sleep(5)
        return "Slow but sure: we open at 9."

    async with running_slack_bot(fake, database, FunctionProvider(slow, model="slow")) as bot:
        started = time.perf_counter()
        response = await bot.command("/ask", "when do you open?")
        acked_in = time.perf_counter() - started

        assert response.status_code == 200, response.text
        assert acked_in < 3.0  # Slack's limit; the ack must not wait for the model
        assert response.json()["text"] == "Working on it…"
        assert await bot.messages() == 1  # stored before it was acknowledged

        (answer,) = await fake.wait_calls("response_url", within=10)
        assert answer["text"] == "Slow but sure: we open at 9."
        assert answer["response_type"] == "in_channel"


async def test_ask_answer_goes_to_the_commands_response_url(bot: SlackBot, fake: FakeSlack):
    url = fake.response_url("ask-1")

    # A question the sample documents answer, so the model (the echo) is asked.
    text = "thanks, the **payload** of this message is fine"
    response = await bot.command("/ask", text, response_url=url)

    assert response.status_code == 200
    (answer,) = await fake.wait_calls("response_url")
    # Text with "payload" in it: slack-bolt would read that form as an empty interactivity
    # payload; the adapter hands bolt the parsed body instead.
    assert answer["text"] == "You said: thanks, the *payload* of this message is fine"
    assert fake.calls_to("response_url")[0].path == "/response/ask-1"
    assert fake.calls_to("users.info")  # the asker was looked up


async def test_unknown_command_gets_a_private_helpful_reply(bot: SlackBot, fake: FakeSlack):
    response = await bot.command("/frobnicate", "now")

    assert response.status_code == 200
    (answer,) = await fake.wait_calls("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "I don't know /frobnicate" in answer["text"]
    assert "/ask" in answer["text"]


async def test_bot_help_lists_the_commands_privately(bot: SlackBot, fake: FakeSlack):
    response = await bot.command("/bot-help")

    assert response.status_code == 200
    (answer,) = await fake.wait_calls("response_url")
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("Here is what I can do:")
    assert "/ask &lt;question&gt;" in answer["text"]  # escaped for Slack


async def test_a_button_click_is_acked_and_answered_through_its_response_url(
    bot: SlackBot, fake: FakeSlack
):
    body = action_body("mystery-button", "42", response_url=fake.response_url())

    response = await bot.post(body, content_type=FORM)

    assert response.status_code == 200
    (answer,) = await fake.wait_calls("response_url")
    assert "I don't know /mystery-button" in answer["text"]
    assert answer["replace_original"] is False


async def test_forged_signature_is_refused_and_nothing_is_stored(bot: SlackBot, fake: FakeSlack):
    body = command_body("/ask", "hello", response_url=fake.response_url())

    forged = await bot.post(body, content_type=FORM, secret="not-the-secret")
    unsigned = await bot.http.post("/slack/events", content=body, headers={"content-type": FORM})

    assert forged.status_code == unsigned.status_code == 401
    assert await bot.messages() == 0
    assert fake.calls == []  # not even auth.test: bolt never saw the request


async def test_replayed_request_older_than_5_minutes_is_refused(bot: SlackBot, fake: FakeSlack):
    body = command_body("/ask", "hello", response_url=fake.response_url())

    replayed = await bot.post(body, content_type=FORM, timestamp=int(time.time()) - 6 * 60)

    assert replayed.status_code == 401
    assert await bot.messages() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"type": "event_callback", ', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("", "application/json"),
        ("payload=%7Bnot-json", FORM),
    ],
)
async def test_malformed_but_signed_bodies_get_400(bot: SlackBot, body: str, content_type: str):
    response = await bot.post(body, content_type=content_type)

    assert response.status_code == 400
    assert await bot.messages() == 0


async def test_budget_alert_is_posted_to_the_ops_channel(
    fake: FakeSlack, database: Database, model: FunctionProvider
):
    async with running_slack_bot(fake, database, model, slack_ops_channel="C0OPS") as bot:
        fired = await bot.runtime.budget.alerts.fire(
            Alert(key="budget:test:80", kind="budget", message="80% of the monthly budget spent.")
        )

        assert fired
        (posted,) = await fake.wait_calls("chat.postMessage")
        assert posted["channel"] == "C0OPS"
        assert "80% of the monthly budget spent." in posted["text"]


async def test_url_verification_challenge_is_answered(bot: SlackBot):
    body = '{"token": "t", "challenge": "c-123", "type": "url_verification"}'

    response = await bot.post(body)

    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}


async def test_healthz_shows_slack_on_with_the_events_api(bot: SlackBot):
    response = await bot.http.get("/healthz")

    assert response.json()["channels"]["slack"] == {"on": True, "mode": "events"}


async def test_development_setting_skips_verification(
    fake: FakeSlack, database: Database, model: FunctionProvider
):
    async with running_slack_bot(
        fake,
        database,
        model,
        slack_signing_secret=None,
        dev_skip_webhook_verification=True,
    ) as bot:
        body = command_body("/ask", "unsigned", response_url=fake.response_url())
        response = await bot.http.post(
            "/slack/events", content=body, headers={"content-type": FORM}
        )

        assert response.status_code == 200
        (answer,) = await fake.wait_calls("response_url")
        assert answer["text"] == "You said: unsigned"
