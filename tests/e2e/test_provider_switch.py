"""``AI_PROVIDER`` switches the bot between all six providers with no code change.

Each case runs ``bot ask --json`` as a subprocess against a fake vendor server
on 127.0.0.1 (the local model runs for real), then ``bot costs`` reports what
those calls cost.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from agents.providers.pricing import PriceTable
from agents.providers.testing.anthropic_api import fake_anthropic
from agents.providers.testing.openai_api import fake_groq, fake_openai
from agents.providers.testing.script import Reply
from tests.support.cli import bot_env, run_bot

ANSWER = Reply(text="Happy to help with your party.", input_tokens=40, output_tokens=7)


async def ask(env: dict[str, str], cwd: Path, question: str = "Smallest party?") -> dict:
    # The fakes serve on this event loop, so the subprocess must not block it.
    result = await asyncio.to_thread(run_bot, ["ask", "--json", question], env, cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("setting", "expected_model"),
    [
        ("openai", "openai:gpt-6-luna"),
        ("anthropic", "anthropic:claude-haiku-5-5"),
        ("groq", "groq:openai/gpt-oss-20b"),
        ("ollama", "ollama:llama3.1:8b"),
    ],
)
async def test_each_vendor_is_one_setting_away(setting, expected_model, tmp_path):
    async with AsyncExitStack() as stack:
        openai = await stack.enter_async_context(fake_openai(ANSWER))
        anthropic = await stack.enter_async_context(fake_anthropic(ANSWER))
        groq = await stack.enter_async_context(fake_groq(ANSWER))
        env = bot_env(
            tmp_path,
            AI_PROVIDER=setting,
            AI_LAST_RESORT="none",
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=openai.base_url,
            ANTHROPIC_API_KEY="sk-ant-test",
            ANTHROPIC_BASE_URL=anthropic.base_url,
            GROQ_API_KEY="gsk-test",
            GROQ_BASE_URL=groq.base_url,
            OLLAMA_BASE_URL=openai.base_url,
        )
        answer = await ask(env, tmp_path)
        costs = await asyncio.to_thread(run_bot, ["costs", "--json"], env, tmp_path)

    provider, _, model = expected_model.partition(":")
    expected_cost = PriceTable().cost(provider, model, input_tokens=40, output_tokens=7)
    assert (answer["text"], answer["model"], answer["provider"]) == (
        "Happy to help with your party.",
        expected_model,
        provider,
    )
    assert (answer["input_tokens"], answer["output_tokens"]) == (40, 7)
    assert answer["cost_usd"] == pytest.approx(expected_cost)
    assert (expected_cost > 0) == (provider != "ollama")  # self-hosted costs nothing
    assert costs.returncode == 0, costs.stderr
    month = json.loads(costs.stdout)["month"]
    assert (month["calls"], month["cost_usd"]) == (1, pytest.approx(expected_cost))


async def test_hybrid_asks_the_teacher_when_the_student_is_unsure(tmp_path):
    async with fake_openai(ANSWER) as openai:
        env = bot_env(
            tmp_path,
            AI_PROVIDER="hybrid",
            AI_LAST_RESORT="none",
            HYBRID_STUDENT="function:tests.support.replies:unsure",
            HYBRID_TEACHER="openai",
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=openai.base_url,
        )
        answer = await ask(env, tmp_path)

    assert answer["text"] == "Happy to help with your party."
    assert answer["model"] == "openai:gpt-6-luna"
    assert answer["hybrid"]["decision"] == "teacher"
    assert [call["role"] for call in answer["calls"]] == ["student", "teacher"]


@pytest.mark.embedded_model
async def test_local_is_the_default_and_costs_nothing(tmp_path):
    answer = await ask(bot_env(tmp_path), tmp_path, "Do you cater weddings?")

    assert answer["model"] == "local:smollm2"
    assert answer["text"] and answer["input_tokens"] > 0 and answer["output_tokens"] > 0
    assert answer["cost_usd"] == 0.0
