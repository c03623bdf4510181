"""Vendor defaults, the start-up preflight and ``bot models``, as a user runs them.

Each case runs ``bot`` as a subprocess against fake vendor servers on
127.0.0.1. Retirement cases use a MODELS_FILE with fixed past or near dates,
so they hold whatever day the tests run.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from agents.providers.testing.anthropic_api import fake_anthropic
from agents.providers.testing.openai_api import fake_gemini, fake_groq, fake_openai
from agents.providers.testing.script import Reply
from tests.support.cli import bot_env, run_bot

ANSWER = Reply(text="We open at nine.", input_tokens=30, output_tokens=5)
FAKES = {
    "openai": fake_openai,
    "anthropic": fake_anthropic,
    "groq": fake_groq,
    "gemini": fake_gemini,
}


def only(tmp_path: Path, vendor: str, base_url: str, **settings: str) -> dict[str, str]:
    """An environment where ``vendor`` is the only one with a key."""
    env = bot_env(tmp_path)
    for name in ("OPENAI", "ANTHROPIC", "GROQ", "GEMINI"):
        env.pop(f"{name}_API_KEY", None)
        env.pop(f"{name}_MODEL", None)
    env.pop("MODELS_FILE", None)
    env.update(settings)
    env.update({f"{vendor.upper()}_API_KEY": "key-test", f"{vendor.upper()}_BASE_URL": base_url})
    return env


async def bot(args: list[str], env: dict[str, str], cwd: Path):
    # The fakes serve on this event loop, so the subprocess must not block it.
    return await asyncio.to_thread(run_bot, args, env, cwd)


@pytest.mark.parametrize(
    ("vendor", "model", "effort_field"),
    [
        ("openai", "gpt-6-luna", ("reasoning_effort", "low")),
        ("anthropic", "claude-haiku-5-5", ("output_config", {"effort": "low"})),
        ("groq", "openai/gpt-oss-20b", ("reasoning_effort", "low")),
        ("gemini", "gemini-3.5-flash-lite", ("reasoning_effort", "low")),
    ],
)
async def test_one_key_and_ai_provider_answer_through_the_vendors_current_default(
    vendor, model, effort_field, tmp_path
):
    async with FAKES[vendor](ANSWER) as fake:
        fake.script.retired_models = {"gpt-4o-mini", "claude-sonnet-4-5", "llama-3.3-70b-versatile"}
        env = only(tmp_path, vendor, fake.base_url, AI_PROVIDER=vendor, AI_LAST_RESORT="none")
        result = await bot(["ask", "--json", "When do you open?"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["text"], answer["model"]) == ("We open at nine.", f"{vendor}:{model}")
    sent = fake.requests[0]
    assert sent["model"] == model
    key, value = effort_field
    assert sent[key] == value
    if vendor != "groq":  # gpt-oss takes a temperature; the others refuse or ignore one
        assert "temperature" not in sent


def models_file(tmp_path: Path) -> Path:
    soon = date.today() + timedelta(days=10)
    path = tmp_path / "models.yml"
    path.write_text(
        "models:\n"
        "  openai:gpt-old:\n"
        "    {input: 1, output: 2, retires_on: 2020-01-01, replacement: openai:gpt-6-luna,\n"
        "     source: https://example.test/deprecations, read_on: 2026-12-02}\n"
        "  openai:gpt-soon:\n"
        f"    {{input: 1, output: 2, retires_on: {soon}, replacement: openai:gpt-6-luna,\n"
        "     source: https://example.test/deprecations, read_on: 2026-12-02}\n"
    )
    return path


async def test_a_retired_answering_model_with_nothing_after_it_stops_with_one_line(tmp_path):
    env = bot_env(tmp_path, AI_PROVIDER="openai:gpt-old", MODELS_FILE=str(models_file(tmp_path)))
    result = await bot(["ask", "Hello?"], env, tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "error: openai:gpt-old retired on 2020-01-01; use openai:gpt-6-luna "
        "[answering: set AI_PROVIDER or its *_MODEL]"
    ]


async def test_retired_models_elsewhere_are_skipped_with_a_warning_and_the_bot_answers(tmp_path):
    async with fake_openai(ANSWER) as fake:
        env = only(
            tmp_path,
            "openai",
            fake.base_url,
            AI_PROVIDER="openai:gpt-soon",
            AI_FALLBACKS="openai:gpt-old",
            AGENT_MODEL_KNOWLEDGE="openai:gpt-old",
            COMPARE_MODELS="openai,openai:gpt-old",
            AI_LAST_RESORT="none",
            MODELS_FILE=str(models_file(tmp_path)),
        )
        result = await bot(["ask", "--json", "When do you open?"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["model"] == "openai:gpt-soon"
    assert [r["model"] for r in fake.requests] == ["gpt-soon"]  # gpt-old never called
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    soon = (date.today() + timedelta(days=10)).isoformat()
    expected = [
        f"openai:gpt-soon retires on {soon} (in 10 days); use openai:gpt-6-luna "
        "[answering: change it before then]",
        "openai:gpt-old retired on 2020-01-01; use openai:gpt-6-luna [fallback: skipped]",
        "openai:gpt-old retired on 2020-01-01; use openai:gpt-6-luna [agent.knowledge: skipped]",
        "openai:gpt-old retired on 2020-01-01; use openai:gpt-6-luna [compare: skipped]",
    ]
    for line in expected:
        assert sum(line in w for w in warnings) == 1, (line, warnings)


async def test_bot_models_lists_roles_prices_context_and_retirement(tmp_path):
    env = bot_env(
        tmp_path,
        AI_PROVIDER="anthropic",
        AI_FALLBACKS="groq:llama-3.3-70b-versatile",
        COMPARE_MODELS="openai,gemini",
    )
    listed = await bot(["models", "--json"], env, tmp_path)
    table = await bot(["models"], {**env, "COLUMNS": "200"}, tmp_path)
    everything = await bot(["models", "--all", "--json"], env, tmp_path)

    assert listed.returncode == 0, listed.stderr
    rows = {(r["role"], r["model"]): r for r in json.loads(listed.stdout)["models"]}
    haiku = rows[("answering", "anthropic:claude-haiku-5-5")]
    assert (haiku["input_per_1m"], haiku["output_per_1m"], haiku["context_window"]) == (
        0.10,
        0.50,
        1_000_000,
    )
    llama = rows[("fallback", "groq:llama-3.3-70b-versatile")]
    assert (llama["retires_on"], llama["replacement"]) == ("2026-08-16", "groq:openai/gpt-oss-120b")
    assert ("compare", "gemini:gemini-3.5-flash-lite") in rows
    assert "groq:llama-3.3-70b-versatile" in table.stdout and "2026-08-16" in table.stdout
    catalogue = json.loads(everything.stdout)["models"]
    assert len(catalogue) >= 15
    assert all(r["source"] and r["read_on"] for r in catalogue)


async def test_a_vendor_without_its_key_and_nothing_after_it_stops_with_one_line(tmp_path):
    env = only(tmp_path, "groq", "http://127.0.0.1:9", AI_PROVIDER="openai")
    result = await bot(["ask", "Hello?"], env, tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: openai:gpt-6-luna: OPENAI_API_KEY is not set "
        "[answering: set it, or choose another AI_PROVIDER]"
    ]


async def test_a_keyless_model_in_a_chain_is_skipped_naming_what_answers(tmp_path):
    async with fake_groq(ANSWER) as fake:
        env = only(tmp_path, "groq", fake.base_url, AI_PROVIDER="openai", AI_FALLBACKS="groq")
        result = await bot(["ask", "--json", "When do you open?"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"] == "We open at nine."
    warnings = [line for line in result.stderr.splitlines() if "WARNING bot.preflight" in line]
    assert [w.split(": ", 1)[1] for w in warnings] == [
        "openai:gpt-6-luna: OPENAI_API_KEY is not set "
        "[answering: skipped; answering with groq:openai/gpt-oss-20b]"
    ]
