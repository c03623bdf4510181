"""/compare's runner: three vendors at once through their real SDKs, against the fakes.

The contestants are the official OpenAI, Anthropic and Groq SDKs pointed at
the fake vendor servers on 127.0.0.1; one stalls past its deadline, one
answers 500. The line-up tests only read settings: no model is built or run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from agents.compare.lineup import choose_lineup
from agents.compare.result import Contestant, Lineup, ModelAnswer
from agents.compare.runner import SYSTEM_PROMPT, CompareRunner
from agents.providers.base import ChatMessage
from agents.providers.factory import ProviderFactory
from agents.providers.function import FunctionProvider, Price
from agents.providers.testing.anthropic_api import fake_anthropic
from agents.providers.testing.openai_api import fake_groq, fake_openai
from agents.providers.testing.script import Reply
from agents.providers.testing.server import FakeVendor
from bot.settings import Settings, load_settings
from bot.wiring.models import provider_settings

QUESTION = "What should a caterer charge per guest for a wedding buffet?"
TIMEOUT_S = 0.5


@dataclass
class Vendors:
    openai: FakeVendor
    anthropic: FakeVendor
    groq: FakeVendor


@asynccontextmanager
async def three_vendors() -> AsyncIterator[Vendors]:
    async with fake_openai() as openai, fake_anthropic() as anthropic, fake_groq() as groq:
        yield Vendors(openai, anthropic, groq)


def vendor_settings(vendors: Vendors, **overrides) -> Settings:
    """Keys for all three vendors, their base URLs on the fakes, one attempt per call."""
    return load_settings(
        _env_file=None,
        openai_api_key="sk-test",
        openai_base_url=vendors.openai.base_url,
        anthropic_api_key="sk-ant-test",
        anthropic_base_url=vendors.anthropic.base_url,
        groq_api_key="gsk-test",
        groq_base_url=vendors.groq.base_url,
        compare_models="openai,anthropic,groq",
        ai_max_attempts=1,
        compare_timeout_s=TIMEOUT_S,
        compare_deadline_s=2.0,
        **overrides,
    )


def warm_up(factory: ProviderFactory, lineup: Lineup) -> None:
    """Build the providers (importing their SDKs) before timing, as a running service has."""
    for contestant in lineup.contestants:
        factory.create(contestant.model_id)


class Arrivals(list[ModelAnswer]):
    """An ``on_answer`` that records what arrived, and when."""

    def __init__(self) -> None:
        super().__init__()
        self.started = time.perf_counter()
        self.at: list[float] = []

    async def __call__(self, answer: ModelAnswer) -> None:
        self.append(answer)
        self.at.append(time.perf_counter() - self.started)


async def test_one_ok_one_timed_out_one_failed_in_the_time_of_the_slowest(tmp_path):
    async with three_vendors() as vendors:
        vendors.openai.then(Reply(text="Charge $45 to $60 per guest.", input_tokens=20))
        vendors.anthropic.then(Reply(text="Too late to matter.", stall=3.0))
        vendors.groq.then(Reply(status=500, error_message="upstream exploded"))
        settings = vendor_settings(vendors)
        factory = ProviderFactory(provider_settings(settings))
        lineup = choose_lineup(settings.compare_model_ids(), factory)
        warm_up(factory, lineup)
        runner = CompareRunner(
            factory.create,
            timeout_s=settings.compare_timeout_s,
            deadline_s=settings.compare_deadline_s,
            max_tokens=settings.compare_max_tokens,
        )
        arrivals = Arrivals()
        try:
            started = time.perf_counter()
            outcome = await runner.run(QUESTION, lineup, on_answer=arrivals)
            wall = time.perf_counter() - started
        finally:
            await factory.aclose()

    assert [(a.position, a.model_id) for a in outcome.answers] == [
        (1, "openai:gpt-6-luna"),
        (2, "anthropic:claude-haiku-5-5"),
        (3, "groq:openai/gpt-oss-20b"),
    ]
    ok, late, failed = outcome.answers
    assert (ok.status, ok.text, ok.error) == ("ok", "Charge $45 to $60 per guest.", None)
    assert (ok.input_tokens, ok.output_tokens) == (20, 6)
    assert ok.cost_usd is not None and ok.cost_usd > 0
    assert [(c.model_id, c.outcome, c.role) for c in ok.calls] == [
        ("openai:gpt-6-luna", "ok", "compare")
    ]
    assert (late.status, late.error) == ("timeout", "no answer within 0.5 s")
    assert late.text == "" and late.cost_usd is None
    assert [(c.outcome, c.role) for c in late.calls] == [("timeout", "compare")]
    assert failed.status == "failed"
    assert failed.error == "groq:openai/gpt-oss-20b: 500 upstream exploded"
    assert "Traceback" not in failed.error
    assert [(c.outcome, c.role) for c in failed.calls] == [("server_error", "compare")]

    # All three at once: the wall time is the deadline's, not the sum of the waits.
    assert TIMEOUT_S <= wall < TIMEOUT_S + 0.3
    assert outcome.wall_ms / 1000 <= wall
    assert 0.45 <= late.latency_ms / 1000 < TIMEOUT_S + 0.3
    # Arrival order: the 500 and the answer first (either way round), the timeout last.
    assert arrivals[-1].position == 2
    assert {a.position for a in arrivals} == {1, 2, 3}
    assert arrivals.at[-1] < TIMEOUT_S + 0.3

    # Every model heard the same short system prompt and the question.
    for fake in (vendors.openai, vendors.groq):
        assert fake.requests[0]["messages"] == [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": QUESTION},
        ]
        limit = fake.requests[0].get("max_completion_tokens") or fake.requests[0]["max_tokens"]
        assert limit == settings.compare_max_tokens
    assert vendors.anthropic.requests[0]["system"] == SYSTEM_PROMPT

    assert outcome.ranking is not None
    assert outcome.ranking.order == (1, 2, 3)  # the only answer first; no scores for the rest
    assert set(outcome.ranking.scores) == {1}
    assert outcome.notes == ()


async def test_answers_reach_on_answer_in_arrival_order_with_their_positions():
    async with three_vendors() as vendors:
        # 400 ms apart: the order must hold on a loaded 2-core machine, too.
        vendors.openai.then(Reply(text="OpenAI's answer.", stall=0.9))
        vendors.anthropic.then(Reply(text="Anthropic's answer.", stall=0.1))
        vendors.groq.then(Reply(text="Groq's answer.", stall=0.5))
        settings = vendor_settings(vendors)
        factory = ProviderFactory(provider_settings(settings))
        lineup = choose_lineup(settings.compare_model_ids(), factory)
        warm_up(factory, lineup)
        runner = CompareRunner(factory.create, timeout_s=2.0, deadline_s=3.0)
        arrivals = Arrivals()
        try:
            started = time.perf_counter()
            outcome = await runner.run(QUESTION, lineup, on_answer=arrivals)
            wall = time.perf_counter() - started
        finally:
            await factory.aclose()

    assert [(a.position, a.text) for a in arrivals] == [
        (2, "Anthropic's answer."),
        (3, "Groq's answer."),
        (1, "OpenAI's answer."),
    ]
    assert arrivals.at[0] < arrivals.at[1] < arrivals.at[2]
    assert [a.position for a in outcome.answers] == [1, 2, 3]  # the outcome is by position
    assert all(a.status == "ok" for a in outcome.answers)
    assert 0.9 <= wall < 1.5  # concurrent: the slowest, not the sum of all three (1.5 s)


async def test_a_failing_callback_is_logged_and_does_not_break_the_compare(caplog):
    replies = {"a": "First.", "b": "Second.", "c": "Third."}
    models = {
        f"function:{name}": FunctionProvider(lambda _m, text=text: text, model=name)
        for name, text in replies.items()
    }
    lineup = Lineup(tuple(Contestant(i, model_id) for i, model_id in enumerate(models, start=1)))
    seen: list[int] = []

    async def on_answer(answer: ModelAnswer) -> None:
        seen.append(answer.position)
        if answer.position == 1:
            raise RuntimeError("the channel is down")

    outcome = await CompareRunner(models.__getitem__, timeout_s=1, deadline_s=1).run(
        QUESTION, lineup, on_answer=on_answer
    )

    assert sorted(seen) == [1, 2, 3]
    assert [a.text for a in outcome.answers] == ["First.", "Second.", "Third."]
    assert "on_answer failed for answer 1" in caplog.text


async def test_the_whole_compare_deadline_bounds_the_models_and_the_judge():
    async def slow(_messages: Sequence[ChatMessage]) -> str:
        await asyncio.sleep(5)
        return "never"

    async def stalling_judge(_messages: Sequence[ChatMessage]) -> str:
        await asyncio.sleep(5)
        return '{"winner": "A", "reason": "too late"}'

    models = {
        "function:quick": FunctionProvider(lambda _m: "Quick answer.", model="quick"),
        "function:other": FunctionProvider(lambda _m: "Another answer.", model="other"),
        "function:slow": FunctionProvider(slow, model="slow", price=Price(1.0, 2.0)),
    }
    lineup = Lineup(tuple(Contestant(i, model_id) for i, model_id in enumerate(models, start=1)))
    judge = FunctionProvider(stalling_judge, model="judge")
    runner = CompareRunner(models.__getitem__, timeout_s=5, deadline_s=0.4, judge=judge)

    started = time.perf_counter()
    outcome = await runner.run(QUESTION, lineup)
    wall = time.perf_counter() - started

    assert 0.4 <= wall < 0.4 + 0.25
    slow_answer = outcome.answers[2]
    assert (slow_answer.status, slow_answer.error) == ("timeout", "no answer within 0.4 s")
    assert outcome.ranking is not None and outcome.ranking.judge is not None
    report = outcome.ranking.judge
    assert report.outcome == "failed"
    assert report.note is not None and "did not finish" in report.note
    assert outcome.ranking.method == "heuristic"  # the heuristic ranking stands
    assert outcome.ranking.order[-1] == 3


async def test_an_unavailable_model_is_shown_failed_with_its_reason():
    factory = ProviderFactory()
    lineup = Lineup((Contestant(1, "function:echo"), Contestant(2, "function:nowhere:nothing")))
    outcome = await CompareRunner(factory.create, timeout_s=1, deadline_s=1).run("hi", lineup)

    echo, broken = outcome.answers
    assert (echo.status, echo.text) == ("ok", "echo: hi")
    assert broken.status == "failed"
    assert broken.error is not None and "cannot import 'nowhere:nothing'" in broken.error


# -- the line-up -------------------------------------------------------------------------


def factory_of(settings: Settings) -> ProviderFactory:
    return ProviderFactory(provider_settings(settings))


def test_vendors_without_a_key_are_left_out_with_a_note_naming_the_setting():
    settings = load_settings(
        _env_file=None,
        openai_api_key="sk-test",
        compare_models="openai,anthropic:claude-haiku-4-5,groq,openai:gpt-6-luna",
    )
    lineup = choose_lineup(
        settings.compare_model_ids(), ProviderFactory(provider_settings(settings))
    )

    assert lineup.contestants == (Contestant(1, "openai:gpt-6-luna"),)
    assert lineup.notes == (
        "anthropic:claude-haiku-4-5 left out: ANTHROPIC_API_KEY is not set",
        "groq:openai/gpt-oss-20b left out: GROQ_API_KEY is not set",
    )


def test_without_any_key_it_compares_what_is_available_locally_and_says_so():
    settings = load_settings(_env_file=None)
    factory = ProviderFactory(provider_settings(settings))
    lineup = choose_lineup(settings.compare_model_ids(), factory)

    assert lineup.contestants == (Contestant(1, "local:smollm2"),)
    assert lineup.notes[:3] == (
        "openai:gpt-6-luna left out: OPENAI_API_KEY is not set",
        "anthropic:claude-haiku-5-5 left out: ANTHROPIC_API_KEY is not set",
        "gemini:gemini-3.5-flash-lite left out: GEMINI_API_KEY is not set",
    )
    assert "comparing what is available locally (local:smollm2)" in lineup.notes[3]


def test_keyless_models_that_were_listed_join_the_local_model():
    settings = load_settings(_env_file=None, compare_models="openai,ollama:llama3.1:8b,function")
    lineup = choose_lineup(
        settings.compare_model_ids(), ProviderFactory(provider_settings(settings))
    )

    assert [c.model_id for c in lineup.contestants] == [
        "local:smollm2",
        "ollama:llama3.1:8b",
        "function:echo",
    ]
    assert [c.position for c in lineup.contestants] == [1, 2, 3]
    assert lineup.notes[0] == "openai:gpt-6-luna left out: OPENAI_API_KEY is not set"
    assert "available locally" in lineup.notes[1]


def test_a_lineup_of_keyless_models_needs_no_note():
    lineup = choose_lineup(["function:echo", "local", "local:smollm2"], ProviderFactory())
    assert [c.model_id for c in lineup.contestants] == ["function:echo", "local:smollm2"]
    assert lineup.notes == ()


def test_an_unknown_provider_is_left_out_with_the_reason():
    lineup = choose_lineup(["function:echo", "mystery:model"], ProviderFactory())
    assert [c.model_id for c in lineup.contestants] == ["function:echo"]
    assert lineup.notes[0].startswith("mystery:model left out: unknown model provider 'mystery'")
