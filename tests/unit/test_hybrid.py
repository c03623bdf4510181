"""The hybrid teacher-student provider: bands, self-rating, failures, calls, streaming, pairs."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest
from pydantic import BaseModel

from agents.errors import ProviderServerError, ProviderTimeoutError
from agents.providers.base import HANDOFF, CallOptions, CallRecord, ChatMessage, Completion
from agents.providers.confidence import RATING_SYSTEM, SelfRater
from agents.providers.factory import ProviderFactory
from agents.providers.function import FunctionProvider
from agents.providers.hybrid import HybridProvider
from agents.providers.settings import ProviderSettings
from agents.providers.tutor_pairs import TutorPair

QUESTION = [
    ChatMessage("system", "You are the front desk of a catering company."),
    ChatMessage("user", "Do you cater weddings in Napa?"),
]
STUDENT_TEXT = "Yes, we cater weddings in Napa."
TEACHER_TEXT = "Yes: we cater weddings across Napa Valley, for 20 to 300 guests."


def student_with(confidence: float | None, text: str = STUDENT_TEXT) -> FunctionProvider:
    """A student that answers with ``text`` and, as a logprobs backend would, a confidence."""

    def answer(_messages: Sequence[ChatMessage]) -> Completion:
        return Completion(
            text=text,
            model="student",
            provider="function",
            input_tokens=30,
            output_tokens=8,
            cost_usd=0.0,
            confidence=confidence,
        )

    return FunctionProvider(answer, model="student")


def rating_student(rating: str) -> FunctionProvider:
    """A student without logprobs that answers the rating question with ``rating``."""

    def answer(messages: Sequence[ChatMessage]) -> str:
        return rating if messages[0].content == RATING_SYSTEM else STUDENT_TEXT

    return FunctionProvider(answer, model="student")


class PairList:
    """A `PairLog` in memory."""

    def __init__(self) -> None:
        self.pairs: list[TutorPair] = []

    async def record(self, pair: TutorPair) -> None:
        self.pairs.append(pair)


@pytest.fixture
def teacher() -> FunctionProvider:
    return FunctionProvider(lambda _m: TEACHER_TEXT, model="teacher")


@pytest.fixture
def pairs() -> PairList:
    return PairList()


def hybrid(student, teacher, pairs=None, **kwargs) -> HybridProvider:
    return HybridProvider(student, teacher, high=0.75, low=0.40, pair_log=pairs, **kwargs)


@pytest.mark.parametrize(
    ("confidence", "decision"),
    [(0.92, "student"), (0.75, "student"), (0.74, "teacher"), (0.40, "teacher"), (0.39, "handoff")],
)
async def test_each_confidence_band_lands_where_it_should(
    confidence, decision, teacher, pairs, caplog
):
    caplog.set_level(logging.INFO, logger="agents.providers.hybrid")
    provider = hybrid(student_with(confidence), teacher, pairs)

    completion = await provider.complete(QUESTION)

    info = completion.extras["hybrid"]
    assert info == {
        "decision": decision,
        "confidence": confidence,
        "method": "logprobs",
        "student": "function:student",
        "teacher": "function:teacher",
    }
    roles = [call.role for call in completion.call_log]
    if decision == "student":
        assert completion.text == STUDENT_TEXT and completion.model == "student"
        assert completion.confidence == confidence
        assert roles == ["student"] and teacher.calls == []
    elif decision == "teacher":
        assert completion.text == TEACHER_TEXT and completion.model == "teacher"
        assert roles == ["student", "teacher"] and teacher.calls == [list(QUESTION)]
    else:
        assert completion.finish_reason == HANDOFF and completion.text == ""
        assert "below 0.40" in completion.extras["handoff_reason"]
        assert roles == ["student"] and teacher.calls == []
    [pair] = pairs.pairs
    assert (pair.decision, pair.confidence, pair.method) == (decision, confidence, "logprobs")
    assert pair.prompt == tuple(QUESTION) and pair.student_text == STUDENT_TEXT
    assert pair.teacher_text == (TEACHER_TEXT if decision == "teacher" else None)
    [line] = [r.getMessage() for r in caplog.records if "hybrid decision" in r.getMessage()]
    assert decision in line and f"{confidence:.3f}" in line and "logprobs" in line


@pytest.mark.parametrize(
    ("rating", "confidence", "decision", "method"),
    [
        ("10", 0.85, "student", "self_rating"),
        ("Confidence: 8/10", 0.575, "teacher", "self_rating"),
        ("On a scale of 0 to 10, I'd say 3.", 0.18, "handoff", "self_rating"),
        ("I am quite sure.", 0.0, "handoff", "self_rating_unparsed"),
    ],
)
async def test_without_logprobs_the_student_rates_itself(
    rating, confidence, decision, method, teacher, pairs
):
    student = rating_student(rating)
    provider = hybrid(student, teacher, pairs)

    completion = await provider.complete(QUESTION, CallOptions(max_tokens=100, temperature=0.7))

    info = completion.extras["hybrid"]
    assert (info["decision"], info["method"]) == (decision, method)
    assert info["confidence"] == pytest.approx(confidence)
    roles = [call.role for call in completion.call_log]
    assert roles[:2] == ["student", "self_rating"]
    assert roles[2:] == (["teacher"] if decision == "teacher" else [])
    # The rating question is tiny: the customer's message and the answer, not the system prompt.
    rating_prompt = student.calls[1]
    assert rating_prompt[0].content == RATING_SYSTEM
    assert "Do you cater weddings in Napa?" in rating_prompt[1].content
    assert STUDENT_TEXT in rating_prompt[1].content
    assert "front desk" not in rating_prompt[1].content
    assert pairs.pairs[0].method == method


async def test_a_custom_calibration_curve_changes_the_band(teacher):
    from agents.providers.confidence import CalibrationCurve

    trusting = SelfRater(CalibrationCurve(((0.0, 0.0), (1.0, 1.0))))
    provider = hybrid(rating_student("8"), teacher, rater=trusting)

    completion = await provider.complete(QUESTION)

    assert completion.extras["hybrid"]["confidence"] == pytest.approx(0.8)
    assert completion.text == STUDENT_TEXT


async def test_when_the_teacher_fails_the_students_answer_stands(pairs):
    failed = CallRecord("function", "teacher", outcome="server_error", role="answer")

    def down(_messages):
        raise ProviderServerError("teacher is down", provider="function", calls=[failed])

    provider = hybrid(student_with(0.5), FunctionProvider(down, model="teacher"), pairs)

    completion = await provider.complete(QUESTION)

    assert completion.text == STUDENT_TEXT
    info = completion.extras["hybrid"]
    assert info["decision"] == "student" and "teacher is down" in info["teacher_error"]
    assert [(c.role, c.outcome) for c in completion.call_log] == [
        ("student", "ok"),
        ("teacher", "server_error"),
    ]
    assert pairs.pairs[0].decision == "student" and pairs.pairs[0].teacher_text is None


async def test_when_the_student_fails_the_teacher_answers(teacher, pairs):
    def down(_messages):
        raise ProviderTimeoutError("student timed out", provider="function")

    provider = hybrid(FunctionProvider(down, model="student"), teacher, pairs)

    completion = await provider.complete(QUESTION)

    assert completion.text == TEACHER_TEXT
    info = completion.extras["hybrid"]
    assert (info["decision"], info["method"]) == ("teacher", "student_failed")
    assert "student timed out" in info["student_error"]
    assert pairs.pairs == []  # no student answer: nothing to learn from


async def test_when_both_fail_the_error_carries_every_call():
    def down(name):
        def fail(_messages):
            call = CallRecord("function", name, outcome="timeout")
            raise ProviderTimeoutError(f"{name} timed out", provider="function", calls=[call])

        return FunctionProvider(fail, model=name)

    provider = hybrid(down("student"), down("teacher"))

    with pytest.raises(ProviderTimeoutError, match="teacher timed out") as caught:
        await provider.complete(QUESTION)
    assert [(c.model, c.role) for c in caught.value.calls] == [
        ("student", "student"),
        ("teacher", "teacher"),
    ]


async def test_an_empty_student_answer_is_not_trusted(teacher):
    provider = hybrid(student_with(0.99, text="  "), teacher)

    completion = await provider.complete(QUESTION)

    assert completion.finish_reason == HANDOFF
    assert completion.extras["hybrid"]["method"] == "empty_answer"


async def test_a_failing_pair_log_does_not_lose_the_answer(teacher, caplog):
    class Broken:
        async def record(self, pair):
            raise RuntimeError("database gone")

    provider = hybrid(student_with(0.5), teacher, Broken())

    completion = await provider.complete(QUESTION)

    assert completion.text == TEACHER_TEXT
    assert "could not record the tutor pair" in caplog.text


class Reservation(BaseModel):
    guests: int
    city: str


async def test_response_schema_goes_to_whichever_model_answers(pairs):
    student = student_with(0.9, text='{"guests": 40, "city": "Napa"}')
    teacher = FunctionProvider(lambda _m: '{"guests": 45, "city": "Sonoma"}', model="teacher")

    unsure = student_with(0.5, text='{"guests": 40, "city": "Napa"}')

    stands = await hybrid(student, teacher).complete(
        QUESTION, CallOptions(response_schema=Reservation)
    )
    asked = await hybrid(unsure, teacher).complete(
        QUESTION, CallOptions(response_schema=Reservation)
    )

    assert stands.parsed == Reservation(guests=40, city="Napa")
    assert asked.parsed == Reservation(guests=45, city="Sonoma")
    # Both models saw the schema instructions.
    assert "JSON schema" in teacher.calls[0][0].content


async def collect(provider: HybridProvider) -> tuple[list[str], Completion]:
    events = [event async for event in provider.stream(QUESTION)]
    *deltas, final = events
    assert isinstance(final, Completion) and all(isinstance(d, str) for d in deltas)
    return deltas, final


async def test_stream_runs_the_teacher_live_after_the_decision(teacher, pairs):
    deltas, final = await collect(hybrid(rating_student("8"), teacher, pairs))

    assert len(deltas) > 1 and "".join(deltas) == TEACHER_TEXT == final.text
    assert [c.role for c in final.call_log] == ["student", "self_rating", "teacher"]
    assert final.extras["hybrid"]["decision"] == "teacher"
    assert pairs.pairs[0].teacher_text == TEACHER_TEXT


async def test_stream_yields_the_students_answer_when_it_stands(teacher):
    deltas, final = await collect(hybrid(student_with(0.9), teacher))

    assert deltas == [STUDENT_TEXT] and final.text == STUDENT_TEXT
    assert teacher.calls == []


async def test_stream_hands_off_without_text(teacher):
    deltas, final = await collect(hybrid(student_with(0.1), teacher))

    assert deltas == [] and final.finish_reason == HANDOFF


async def test_stream_falls_back_to_the_student_when_the_teacher_fails():
    def down(_messages):
        raise ProviderServerError("teacher is down", provider="function")

    deltas, final = await collect(hybrid(student_with(0.5), FunctionProvider(down, model="t")))

    assert deltas == [STUDENT_TEXT]
    assert "teacher is down" in final.extras["hybrid"]["teacher_error"]


def test_the_factory_builds_the_hybrid_from_settings(pairs):
    settings = ProviderSettings(
        default_provider="hybrid",
        hybrid_student="function:echo",
        hybrid_teacher="function:tests.support.replies:priced",
        confidence_high=0.8,
        confidence_low=0.3,
        last_resort=None,
    )
    factory = ProviderFactory(settings, pair_log=pairs)

    provider = factory.default()

    assert isinstance(provider, HybridProvider)
    assert provider.model_id == "hybrid:function:echo>function:tests.support.replies:priced"
    assert (provider.high, provider.low, provider.pair_log) == (0.8, 0.3, pairs)
    assert provider.student is factory.create("function:echo")


def test_thresholds_must_be_in_order(teacher):
    with pytest.raises(ValueError, match="low"):
        HybridProvider(teacher, teacher, high=0.3, low=0.6)
