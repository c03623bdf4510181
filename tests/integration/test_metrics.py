"""``/metrics`` after messages on every channel: each family, with the expected counts.

Counters live in the process (prometheus-client's registry), so the test reads
what its own requests added: a scrape before, a scrape after, the difference.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.metrics import FAMILIES
from channels.slack.testing.inbound import dm_event, event_body, signed_headers
from channels.sms.testing import inbound_form
from memory.db import Database
from tests.support.all_channels import TELEGRAM_SECRET, AllChannels, running_all_channels
from tests.support.telegram_updates import text_update

TOKEN = "scrape-me"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(bot: AllChannels) -> tuple[set[str], Samples]:
    answer = await bot.http.get("/metrics", headers=AUTH)
    assert answer.status_code == 200, answer.text
    families: set[str] = set()
    samples: Samples = defaultdict(float)
    for family in text_string_to_metric_families(answer.text):
        families.add(family.name)
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] += sample.value
    return families, samples


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """What ``name`` gained across the samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(
        value - before.get(key, 0.0)
        for key, value in after.items()
        if key[0] == name and wanted <= key[1]
    )


async def sms(bot: AllChannels, text: str, *, sender: str, signed: bool = True) -> int:
    form = inbound_form(text, sender=sender)
    headers = bot.signer.headers("/sms/inbound", form) if signed else {}
    headers["content-type"] = "application/x-www-form-urlencoded"
    answer = await bot.http.post("/sms/inbound", content=urlencode(form), headers=headers)
    return answer.status_code


async def test_metrics_count_every_channel(database: Database) -> None:
    async with running_all_channels(database, metrics_token=TOKEN, slack_ops_channel="C0PS") as bot:
        assert (await bot.http.get("/metrics")).status_code == 401
        assert (
            await bot.http.get("/metrics", headers={"Authorization": "Bearer no"})
        ).status_code == 401
        _, before = await scrape(bot)

        assert await sms(bot, "what are your opening hours", sender="+15551230001") == 200
        assert await sms(bot, "STOP", sender="+15551230002") == 200
        assert await sms(bot, "forged", sender="+15551230003", signed=False) == 403
        update = text_update(7001, "do you have parking")
        tg = await bot.http.post(
            "/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )
        assert tg.status_code == 200
        forged_tg = await bot.http.post("/telegram/webhook", json=text_update(7002, "x"))
        assert forged_tg.status_code == 401
        body = event_body(dm_event("how much is a cleaning"))
        assert (
            await bot.http.post("/slack/events", content=body, headers=signed_headers(body))
        ).status_code == 200
        api = await bot.http.post(
            "/api/v1/messages",
            json={"text": "can I speak to a person", "sender": "email:a@b.example"},
        )
        assert api.status_code == 200, api.text
        await bot.settle()

        families, after = await scrape(bot)
        assert set(FAMILIES) <= families
        d = lambda name, **labels: delta(before, after, name, **labels)  # noqa: E731
        for channel in ("sms", "telegram", "slack", "api"):
            assert d("bot_messages_received_total", channel=channel) >= 1, channel
        assert d("bot_messages_received_total", channel="sms") == 2  # the forged one is not
        assert d("bot_opt_outs_total", channel="sms") == 1
        assert d("bot_webhook_verifications_refused_total", channel="sms") == 1
        assert d("bot_webhook_verifications_refused_total", channel="telegram") == 1
        assert d("bot_webhook_verifications_refused_total", channel="slack") == 0
        for channel in ("sms", "telegram", "slack", "api"):
            assert d("bot_messages_answered_total", channel=channel) == 1, channel
            assert d("bot_answer_latency_seconds_count", channel=channel) == 1, channel
        assert d("bot_routes_total") == 4
        assert d("bot_routes_total", agent="human") == 1
        assert d("bot_handoffs_opened_total") == 1
        assert d("bot_model_calls_total", provider="function", model="echo", outcome="ok") >= 1
        assert d("bot_model_tokens_total", direction="input") > 0
        # Bounded labels: no phone number, address or text in any label value.
        for name, labels in after:
            for _, value in labels:
                assert "+1555" not in value and "@" not in value and " " not in value, (name, value)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_metrics_open_without_a_token(database: Database) -> None:
    async with running_all_channels(database) as bot:
        answer = await bot.http.get("/metrics")
        assert answer.status_code == 200
        assert "bot_messages_received_total" in answer.text
