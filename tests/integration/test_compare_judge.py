"""/compare's LLM judge: both orders, a strict format, anonymised answers, never its own.

Where the judge's wire traffic matters (both orders, the format, scrubbing), the
judge is the real OpenAI SDK against the fake OpenAI server. Where its verdict
must depend on what it reads (a consistent winner, ties), the judge is a
`FunctionProvider` that reads the prompt: the shipped test double for any model.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import AsyncIterator, Callable, Sequence

import pytest

from agents.compare.anonymise import PLACEHOLDER, scrub
from agents.compare.judge import JUDGE_ROLE, SYSTEM_PROMPT, Judge
from agents.compare.result import Contestant, Lineup, ModelAnswer, PairVerdict
from agents.compare.runner import CompareRunner
from agents.compare.verdicts import overall, pair_outcome
from agents.providers.base import ChatMessage
from agents.providers.catalogue import load_catalogue
from agents.providers.factory import ProviderFactory
from agents.providers.function import FunctionProvider
from agents.providers.resilience import RetryPolicy
from agents.providers.settings import ProviderSettings, VendorSettings
from agents.providers.testing.openai_api import fake_openai
from agents.providers.testing.script import Reply
from agents.providers.testing.server import FakeVendor

QUESTION = "Which dessert suits a summer wedding buffet?"
#: OpenAI's current default: a hard-coded id would retire under the test.
JUDGE_ID = f"openai:{load_catalogue().defaults['openai']}"
ACCEPTS = load_catalogue().accepts(JUDGE_ID)

TEXTS = {
    1: "Lemon tart: light, fresh and easy to serve cold.",
    2: "As Claude, made by Anthropic, I suggest a pavlova with berries.",
    3: "Chocolate cake, which GPT-4o and Llama 3 both rate highly.",
}


def answers(texts: dict[int, str] = TEXTS, model_ids: dict[int, str] | None = None):
    model_ids = model_ids or {}
    return [
        ModelAnswer(
            position=position,
            model_id=model_ids.get(position, f"function:model{position}"),
            status="ok",
            text=text,
            latency_ms=100.0 * position,
        )
        for position, text in texts.items()
    ]


def verdict(winner: str, reason: str = "It answers better.") -> str:
    return json.dumps({"winner": winner, "reason": reason})


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with fake_openai() as vendor:
        yield vendor


def openai_judge(fake: FakeVendor) -> tuple[ProviderFactory, Judge]:
    factory = ProviderFactory(
        ProviderSettings(
            vendors={"openai": VendorSettings("sk-test", fake.base_url)},
            retry=RetryPolicy(max_attempts=1),
        )
    )
    return factory, Judge(factory.create(JUDGE_ID), rng=random.Random(5))


def shown(request: dict) -> tuple[str, str]:
    """The texts a judge request showed as Answer A and Answer B."""
    prompt = request["messages"][-1]["content"]
    found = re.search(r"Answer A:\n<<<\n(.*?)\n>>>\n\nAnswer B:\n<<<\n(.*?)\n>>>", prompt, re.S)
    assert found, prompt
    return found.group(1), found.group(2)


def reading_judge(choose: Callable[[str, str], str], *, model: str = "judge") -> FunctionProvider:
    """A judge whose verdict is ``choose(answer_a, answer_b)`` (a JSON string)."""

    def judge(messages: Sequence[ChatMessage]) -> str:
        prompt = next(m.content for m in messages if m.role == "user")  # not a repair request
        return choose(*shown({"messages": [{"content": prompt}]}))

    return FunctionProvider(judge, model=model)


async def test_every_pair_is_judged_in_both_orders_and_a_flipping_verdict_is_inconsistent(fake):
    # A judge that always prefers whatever it reads first: the classic position bias.
    fake.script.default = Reply(text=verdict("A", "The first one is better."))
    factory, judge = openai_judge(fake)
    try:
        report = await judge.judge(QUESTION, answers())
    finally:
        await factory.aclose()

    seen = [shown(request) for request in fake.requests]
    assert len(seen) == 6  # three pairs, each in both orders
    scrubbed = {scrub(t, keep=QUESTION): p for p, t in TEXTS.items()}
    assert sorted((scrubbed[a], scrubbed[b]) for a, b in seen) == [
        (1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2),
    ]  # fmt: skip
    for request in fake.requests:
        assert request["messages"][0]["content"].startswith(SYSTEM_PROMPT)
        assert request["response_format"]["type"] == "json_schema"
        assert request["response_format"]["json_schema"]["schema"]["properties"]["winner"] == {
            "enum": ["A", "B", "tie"],
            "title": "Winner",
            "type": "string",
        }
        # The judge asks for temperature 0, sent where the model accepts it (reasoning
        # models refuse it with a 400).
        if ACCEPTS.temperature:
            assert request["temperature"] == 0.0
        else:
            assert "temperature" not in request

    assert report.outcome == "inconsistent"
    assert report.winner is None
    assert report.note == "the verdict changed with the order of the answers"
    assert len(report.pairs) == 3
    for pair in report.pairs:
        assert pair.first < pair.second
        # "A" both times: the first answer in one order, the second in the other.
        assert pair.verdicts == (str(pair.first), str(pair.second))
        assert pair.outcome == "inconsistent"
    assert len(report.calls) == 6
    assert {(c.model_id, c.role, c.outcome) for c in report.calls} == {(JUDGE_ID, JUDGE_ROLE, "ok")}
    assert all(c.cost_usd is not None and c.cost_usd > 0 for c in report.calls)


async def test_the_judge_sees_answers_without_model_or_vendor_names(fake):
    fake.script.default = Reply(text=verdict("tie"))
    factory, judge = openai_judge(fake)
    model_ids = {1: "openai:gpt-4o-mini-contestant", 2: "anthropic:claude-sonnet-4-5"}
    try:
        await judge.judge(QUESTION, answers(model_ids=model_ids))
    finally:
        await factory.aclose()

    prompts = " ".join(request["messages"][-1]["content"] for request in fake.requests)
    for name in ("Claude", "Anthropic", "GPT-4o", "Llama 3"):
        assert name not in prompts
    assert f"As {PLACEHOLDER}, made by {PLACEHOLDER}, I suggest a pavlova" in prompts
    assert "Lemon tart: light, fresh and easy to serve cold." in prompts


async def test_a_winner_named_in_both_orders_wins():
    def prefer_pavlova(a: str, b: str) -> str:
        if "pavlova" in a:
            return verdict("A")
        return verdict("B") if "pavlova" in b else verdict("tie")

    report = await Judge(reading_judge(prefer_pavlova)).judge(QUESTION, answers())

    assert (report.outcome, report.winner) == ("winner", 2)
    outcomes = {(p.first, p.second): p.outcome for p in report.pairs}
    assert outcomes == {(1, 2): 2, (1, 3): "tie", (2, 3): 2}
    assert report.note is None


async def test_ties_in_every_pair_are_a_tie_not_a_winner():
    report = await Judge(reading_judge(lambda _a, _b: verdict("tie"))).judge(QUESTION, answers())

    assert (report.outcome, report.winner) == ("tie", None)
    assert [p.outcome for p in report.pairs] == ["tie", "tie", "tie"]
    assert all(p.verdicts == ("tie", "tie") for p in report.pairs)


async def test_a_verdict_in_a_broken_format_counts_as_invalid(fake):
    # Prose, then prose again after each repair request: the format never validates.
    fake.script.default = Reply(text="Answer A is clearly the better one.")
    factory, judge = openai_judge(fake)
    try:
        report = await judge.judge(QUESTION, answers({1: TEXTS[1], 2: TEXTS[2]}))
    finally:
        await factory.aclose()

    assert len(fake.requests) == 6  # two orders, each asked once and repaired twice
    assert report.outcome == "failed"
    assert report.note == "the judge gave no valid verdict"
    assert report.pairs == (PairVerdict(1, 2, ("invalid", "invalid"), "invalid"),)
    assert [c.role for c in report.calls] == [JUDGE_ROLE] * 6


async def test_an_invalid_order_leaves_its_pair_out_of_the_decision():
    def broken_when_cake_is_a(a: str, b: str) -> str:
        if "Chocolate" in a:
            return '{"winner": "first"}'
        return verdict("A") if "Lemon" in a else verdict("B") if "Lemon" in b else verdict("tie")

    report = await Judge(reading_judge(broken_when_cake_is_a)).judge(QUESTION, answers())

    outcomes = {(p.first, p.second): p.outcome for p in report.pairs}
    assert outcomes == {(1, 2): 1, (1, 3): "invalid", (2, 3): "invalid"}
    assert (report.outcome, report.winner) == ("winner", 1)
    assert report.note == "2 of 3 pairs got an invalid verdict and were left out"


async def test_the_judge_never_judges_its_own_answer(fake):
    fake.script.default = Reply(text=verdict("B"))
    factory, judge = openai_judge(fake)
    try:
        report = await judge.judge(QUESTION, answers(model_ids={3: JUDGE_ID}))
        alone = await judge.judge(
            QUESTION, answers({1: TEXTS[1], 3: TEXTS[3]}, model_ids={3: JUDGE_ID})
        )
    finally:
        await factory.aclose()

    assert report.excluded == (3,)
    assert [(p.first, p.second) for p in report.pairs] == [(1, 2)]
    assert len(fake.requests) == 2
    assert all(TEXTS[3] not in r["messages"][-1]["content"] for r in fake.requests)

    assert (alone.outcome, alone.excluded) == ("skipped", (3,))
    assert alone.note == "fewer than two answers to judge (the judge's own answer, 3, is left out)"
    assert len(fake.requests) == 2  # no call for the skipped one


async def test_a_failing_judge_reports_failed_and_the_heuristic_ranking_stands(fake):
    fake.script.default = Reply(status=500, error_message="judge is down")
    factory, judge = openai_judge(fake)
    contestants = {
        "function:plain": FunctionProvider(lambda _m: "Cake.", model="plain"),
        "function:rich": FunctionProvider(
            lambda _m: TEXTS[1] + "\n\n- Cold\n- Light", model="rich"
        ),
    }
    lineup = Lineup(tuple(Contestant(i, m) for i, m in enumerate(contestants, start=1)))
    runner = CompareRunner(contestants.__getitem__, timeout_s=1, deadline_s=2, judge=judge.provider)
    try:
        outcome = await runner.run(QUESTION, lineup)
    finally:
        await factory.aclose()

    assert outcome.ranking is not None and outcome.ranking.judge is not None
    report = outcome.ranking.judge
    assert report.outcome == "failed"
    assert report.note == f"the judge failed: {JUDGE_ID}: 500 judge is down"
    assert [c.outcome for c in report.calls] == ["server_error", "server_error"]
    assert outcome.ranking.method == "heuristic"
    assert outcome.ranking.order == (2, 1)


async def test_the_runner_ranks_the_judges_winner_first_and_logs_its_calls():
    contestants = {
        "function:rich": FunctionProvider(lambda _m: TEXTS[1] + "\n\n- Cold\n- Light", model="r"),
        "function:short": FunctionProvider(lambda _m: "Pavlova.", model="short"),
    }
    lineup = Lineup(tuple(Contestant(i, m) for i, m in enumerate(contestants, start=1)))

    def prefer_pavlova(a: str, b: str) -> str:
        return verdict("A") if "Pavlova" in a else verdict("B")

    judge = reading_judge(prefer_pavlova, model="fair")
    outcome = await CompareRunner(
        contestants.__getitem__, timeout_s=1, deadline_s=2, judge=judge
    ).run(QUESTION, lineup)

    assert outcome.ranking is not None
    assert outcome.ranking.scores[1].total > outcome.ranking.scores[2].total  # heuristics say 1
    assert outcome.ranking.method == "judge"
    assert outcome.ranking.order == (2, 1)  # the judge says 2, and it was consistent
    assert [c.role for c in outcome.ranking.judge.calls] == [JUDGE_ROLE, JUDGE_ROLE]
    assert all(c.role == "compare" for a in outcome.answers for c in a.calls)


async def test_judge_calls_run_at_once_and_a_slow_judge_times_out_with_its_finished_calls():
    started: list[float] = []

    async def slow_on_cake(messages: Sequence[ChatMessage]) -> str:
        started.append(asyncio.get_running_loop().time())
        a, b = shown({"messages": [{"content": messages[-1].content}]})
        await asyncio.sleep(5 if "Chocolate" in a + b else 0.05)
        return verdict("tie")

    judge = Judge(FunctionProvider(slow_on_cake, model="slow"))
    report = await judge.judge(QUESTION, answers(), timeout_s=0.3)

    assert len(started) == 6 and max(started) - min(started) < 0.1  # all at once
    assert report.outcome == "failed"
    assert report.note == "the judge did not finish within 0.3 s"
    assert len(report.calls) == 2  # the pair without the cake finished, both orders


# -- the rules, without a model ------------------------------------------------------------


def test_pair_outcomes():
    assert pair_outcome("2", "2") == 2
    assert pair_outcome("tie", "tie") == "tie"
    assert pair_outcome("1", "2") == "inconsistent"
    assert pair_outcome("1", "tie") == "inconsistent"
    assert pair_outcome("invalid", "1") == "invalid"


def pairs(*outcomes: tuple[int, int, object]) -> list[PairVerdict]:
    return [PairVerdict(a, b, ("x", "x"), outcome) for a, b, outcome in outcomes]  # type: ignore[arg-type]


def test_a_cycle_has_no_winner():
    outcome, winner, note = overall(pairs((1, 2, 1), (2, 3, 2), (1, 3, 3)))
    assert (outcome, winner, note) == (
        "inconsistent",
        None,
        "no single answer won all its comparisons",
    )


def test_two_answers_tied_for_first_are_a_tie():
    outcome, winner, note = overall(pairs((1, 2, 1), (1, 3, "tie"), (2, 3, 3)))
    assert (outcome, winner, note) == ("tie", None, "answer 1 and answer 3 tied for first")


def test_an_unbeaten_answer_that_tied_a_winless_one_still_wins():
    assert overall(pairs((1, 2, 1), (1, 3, "tie"), (2, 3, "tie")))[:2] == ("winner", 1)


def test_scrub_keeps_names_the_question_asks_about():
    text = "Claude is better than GPT-4o for summaries; meta-analysis agrees. Meta AI too."
    assert scrub(text) == (
        f"{PLACEHOLDER} is better than {PLACEHOLDER} for summaries; meta-analysis agrees. "
        f"{PLACEHOLDER} too."
    )
    kept = scrub(text, keep="Is Claude or GPT-4o better at summaries?")
    assert kept.startswith("Claude is better than GPT-4o")
    assert scrub("I am smollm2-135m, by Hugging Face.", ["local:smollm2"]) == (
        f"I am {PLACEHOLDER}-135m, by {PLACEHOLDER}."
    )
