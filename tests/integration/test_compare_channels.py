"""/compare over real HTTP: a signed Slack command and a Telegram webhook update, answered
through slack_sdk and aiogram to the fake Slack and the fake Bot API on loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from agents.providers.function import FunctionProvider
from bot.runtime import Runtime
from bot.testing.served import http_client, running_runtime
from bot.testing.slack_bot import FORM, SlackBot, running_slack_bot
from channels.slack.testing import FakeSlack, run_fake_slack
from channels.slack.testing.inbound import action_body
from channels.telegram.testing import FakeTelegram, run_fake_telegram
from channels.telegram.verify import SECRET_HEADER
from memory.db import Database
from memory.models import CompareFeedback, CompareQuery
from tests.support.compare_models import model_id
from tests.support.telegram_updates import USER_ID, callback_update, text_update

#: Answer 2 arrives first, then 3, then 1.
COMPARE = {
    "compare_models": ",".join(model_id(name) for name in ("slow", "quick", "steady")),
    "compare_timeout_s": 0.5,
    "compare_deadline_s": 2.0,
}
SECRET = "s3cret_webhook-token"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with run_fake_slack() as fake:
        yield fake


@pytest.fixture
async def slack(
    fake_slack: FakeSlack, database: Database, model: FunctionProvider
) -> AsyncIterator[SlackBot]:
    async with running_slack_bot(fake_slack, database, model, **COMPARE) as bot:
        yield bot


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with run_fake_telegram() as fake:
        yield fake


@pytest.fixture
async def telegram(
    database: Database, model: FunctionProvider, fake_telegram: FakeTelegram
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with (
        running_runtime(
            database,
            model,
            telegram_bot_token=fake_telegram.token,
            telegram_webhook_secret=SECRET,
            telegram_api_base_url=fake_telegram.url,
            team_telegram_ids=str(USER_ID),
            **COMPARE,
        ) as rt,
        http_client(rt) as http,
    ):
        yield rt, http


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element["value"])
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def compare_id(runtime: Runtime) -> int:
    async with runtime.db.sessions() as session:
        return int(await session.scalar(select(func.max(CompareQuery.id))) or 0)


async def test_slack_compare_posts_a_placeholder_then_updates_it_and_votes_are_stored(
    slack: SlackBot, fake_slack: FakeSlack
):
    response = await slack.command("/compare", "What is 2+2?", channel_id="C1")

    assert response.status_code == 200
    assert response.json()["text"] == "Asking 3 models…"
    await slack.settle()
    (placeholder,) = fake_slack.posted
    assert placeholder["channel"] == "C1"
    assert "3 of 3 still answering" in placeholder["text"]
    # Each answer edits the same message in place (chat.update on its ts).
    edits = [call.body for call in fake_slack.calls_to("chat.update")]
    assert len(edits) >= 2 and len({(e["channel"], e["ts"]) for e in edits}) == 1
    assert edits[0]["channel"] == "C1"
    assert fake_slack.responses == []  # the response_url was not needed
    final = edits[-1]
    assert "Ranking (heuristic score)" in final["text"]
    query_id = await compare_id(slack.runtime)
    assert buttons(final["blocks"])[:3] == [
        ("compare_best", f"{query_id}:1"),
        ("compare_up", f"{query_id}:1"),
        ("compare_down", f"{query_id}:1"),
    ]

    click = action_body("compare_best", f"{query_id}:2", response_url=fake_slack.response_url())
    assert (await slack.post(click, content_type=FORM)).status_code == 200
    await slack.settle()

    noted = fake_slack.responses[-1]
    assert noted["response_type"] == "ephemeral"
    assert noted["replace_original"] is False  # the compare's card stays
    assert noted["text"] == f"Noted: answer 2 ({model_id('quick')}) as best."
    async with slack.runtime.db.sessions() as session:
        votes = (await session.execute(select(CompareFeedback.voter, CompareFeedback.kind))).all()
    assert votes == [("slack:U1", "best")]

    await slack.command("/compare", "stats")
    await slack.settle()
    stats = fake_slack.responses[-1]
    assert stats["response_type"] == "ephemeral"
    assert f"{model_id('quick')}: best 1 of 1 (100%)" in stats["text"]


async def test_where_the_bot_may_not_post_the_compare_answers_through_the_response_url(
    slack: SlackBot, fake_slack: FakeSlack
):
    fake_slack.outside.add("C9")

    await slack.command("/compare", "What is 2+2?", channel_id="C9")
    await slack.settle()

    placeholder, *edits = fake_slack.responses
    assert (placeholder["replace_original"], placeholder["response_type"]) == (
        False,
        "in_channel",
    )
    # Slack takes five posts to a response_url: the placeholder and at most four edits.
    assert 1 <= len(edits) <= 4
    assert all(edit["replace_original"] is True for edit in edits)
    assert "Ranking (heuristic score)" in edits[-1]["text"]


async def test_telegram_compare_sends_a_message_then_edits_it_with_a_keyboard(
    telegram: tuple[Runtime, httpx.AsyncClient], fake_telegram: FakeTelegram
):
    runtime, http = telegram

    response = await http.post(
        "/telegram/webhook",
        json=text_update(1, "/compare What is 2+2?"),
        headers={SECRET_HEADER: SECRET},
    )

    assert response.status_code == 200
    await runtime.inbox.work.drain(10)
    (message,) = fake_telegram.messages
    assert len(fake_telegram.calls_to("sendMessage")) == 1
    assert message.edits >= 1 and len(fake_telegram.calls_to("editMessageText")) >= 1
    assert "Ranking (heuristic score)" in message.text
    assert "Quick answer: What is 2+2?" in message.text
    keyboard = message.reply_markup
    assert keyboard is not None
    query_id = await compare_id(runtime)
    data = [row[0]["callback_data"] for row in keyboard["inline_keyboard"]]
    assert data[:3] == [
        f"compare_best|{query_id}:1",
        f"compare_up|{query_id}:1",
        f"compare_down|{query_id}:1",
    ]

    await http.post(
        "/telegram/webhook",
        json=callback_update(2, f"compare_up|{query_id}:3"),
        headers={SECRET_HEADER: SECRET},
    )
    await runtime.inbox.work.drain(10)

    assert fake_telegram.messages[-1].text == f"Noted: 👍 for answer 3 ({model_id('steady')})."
    async with runtime.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CompareFeedback)) == 1


async def test_telegram_users_not_on_the_team_cannot_compare(
    telegram: tuple[Runtime, httpx.AsyncClient], fake_telegram: FakeTelegram
):
    runtime, http = telegram

    await http.post(
        "/telegram/webhook",
        json=text_update(3, "/compare What is 2+2?", user_id=777),
        headers={SECRET_HEADER: SECRET},
    )
    await runtime.inbox.work.drain(10)

    (refusal,) = fake_telegram.messages
    assert refusal.text.startswith("I don't know /compare.")
    assert await compare_id(runtime) == 0
    assert json.dumps(refusal.reply_markup or {}).count("compare_") == 0


async def test_a_telegram_customers_help_lists_only_their_commands(
    telegram: tuple[Runtime, httpx.AsyncClient], fake_telegram: FakeTelegram
):
    runtime, http = telegram

    for update_id, text in ((4, "/help"), (5, "/foo")):
        await http.post(
            "/telegram/webhook",
            json=text_update(update_id, text, user_id=777),
            headers={SECRET_HEADER: SECRET},
        )
    await runtime.inbox.work.drain(10)

    listed, unknown = (message.text for message in fake_telegram.messages)
    assert listed.startswith("Here is what I can do:") and "/compare" not in listed
    assert unknown.startswith("I don't know /foo. Here is what I can do:")
    assert "/compare" not in unknown and "/enrich" not in unknown
