"""`HybridProvider`: a cheap student answers first; a teacher or a person when it is unsure.

``AI_PROVIDER=hybrid`` with ``HYBRID_STUDENT`` and ``HYBRID_TEACHER``. The
student answers with ``logprobs=True``; its confidence is `Completion.confidence`
when the backend set one, else a calibrated self-rating
(`agents.providers.confidence`). Then, with ``CONFIDENCE_THRESHOLD_HIGH`` and
``_LOW``:

- confidence >= HIGH: the student's answer stands;
- LOW <= confidence < HIGH: the teacher answers, and its answer is returned;
- confidence < LOW: a `Completion` with finish reason `HANDOFF`, which the
  orchestrator turns into a handoff message and a conversation marked for a person.

Failures: a student that fails (provider error, or no valid structured answer)
is treated as unsure enough for the teacher. A teacher that fails when asked
leaves the student's answer standing, marked ``teacher_error`` in
``extras["hybrid"]``: an answer the student was at least moderately sure of
beats an apology. When both fail, the teacher's error is raised with every call.
The answer's ``latency_ms`` is the whole decision's (student, rating, teacher);
each call's own latency is in `Completion.calls`.

Every decision is logged (one line) and recorded to the tutor-pair log
(`PairLog`), the training data ``bot export pairs`` writes out. `Completion.calls`
holds every call, with roles ``student``, ``self_rating`` and ``teacher``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from agents.errors import OutputError, ProviderError
from agents.providers.base import (
    DEFAULT_OPTIONS,
    HANDOFF,
    CallOptions,
    CallRecord,
    ChatMessage,
    Completion,
    ModelProvider,
    StreamEvent,
)
from agents.providers.confidence import LOGPROBS, SelfRater
from agents.providers.tutor_pairs import PairLog, TutorPair
from agents.providers.wrapper import WrapperProvider

log = logging.getLogger(__name__)

#: Decisions, as `extras["hybrid"]["decision"]` and the tutor-pair log record them.
STUDENT, TEACHER, HANDED_OFF = "student", "teacher", "handoff"
#: Confidence methods beyond `agents.providers.confidence`'s.
EMPTY_ANSWER, STUDENT_FAILED = "empty_answer", "student_failed"


@dataclass(frozen=True, slots=True)
class _Assessment:
    """The student's answer (None if it failed), how sure it is, and the decision."""

    student: Completion | None
    confidence: float
    method: str
    decision: str
    calls: tuple[CallRecord, ...]
    started: float  # time.perf_counter() when the student was asked
    error: str | None = None


class HybridProvider(WrapperProvider):
    """A student model, a teacher model, and confidence thresholds between them."""

    provider = "hybrid"

    def __init__(
        self,
        student: ModelProvider,
        teacher: ModelProvider,
        *,
        high: float = 0.75,
        low: float = 0.40,
        pair_log: PairLog | None = None,
        rater: SelfRater | None = None,
    ) -> None:
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError(f"need 0 <= low ({low}) <= high ({high}) <= 1")
        super().__init__(student, teacher)
        self.provider = "hybrid"
        self.student = student
        self.teacher = teacher
        self.high = high
        self.low = low
        self.pair_log = pair_log
        self.rater = rater or SelfRater()
        self.model = f"{student.model_id}>{teacher.model_id}"

    @classmethod
    def from_factory(cls, factory: Any) -> HybridProvider:
        """Student, teacher, thresholds and pair log from a `ProviderFactory`."""
        settings = factory.settings
        return cls(
            factory.create(settings.hybrid_student),
            factory.create(factory.teacher_id()),
            high=settings.confidence_high,
            low=settings.confidence_low,
            pair_log=factory.pair_log,
        )

    def decide(self, confidence: float) -> str:
        """`STUDENT`, `TEACHER` or `HANDED_OFF` for a confidence."""
        if confidence >= self.high:
            return STUDENT
        return TEACHER if confidence >= self.low else HANDED_OFF

    async def complete(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> Completion:
        judged = await self._assess(messages, options)
        if judged.decision != TEACHER:
            return await self._finish(messages, judged, None)
        try:
            teacher = await self.teacher.complete(messages, options)
        except (ProviderError, OutputError) as exc:
            return await self._finish(messages, self._teacher_failed(judged, exc), None)
        return await self._finish(messages, judged, teacher)

    async def stream(
        self, messages: Sequence[ChatMessage], options: CallOptions = DEFAULT_OPTIONS
    ) -> AsyncIterator[StreamEvent]:
        """Decide on the student's whole answer first, then stream the teacher live if asked."""
        judged = await self._assess(messages, options)
        if judged.decision == TEACHER:
            teacher: Completion | None = None
            started = False
            try:
                async for event in self.teacher.stream(messages, options):
                    if isinstance(event, Completion):
                        teacher = event
                    else:
                        started = True
                        yield event
            except (ProviderError, OutputError) as exc:
                if started:  # the reader has seen the teacher's words: no second voice
                    exc.calls = (*judged.calls, *_role(exc.calls, TEACHER))
                    raise
                judged = self._teacher_failed(judged, exc)
            if judged.decision == TEACHER:  # the teacher answered
                if teacher is None:
                    raise RuntimeError(f"{self.teacher.model_id} ended its stream without a result")
                yield await self._finish(messages, judged, teacher)
                return
        result = await self._finish(messages, judged, None)
        if result.text:
            yield result.text
        yield result

    async def _assess(self, messages: Sequence[ChatMessage], options: CallOptions) -> _Assessment:
        """The student's answer, its confidence, and the decision they lead to."""
        started = time.perf_counter()
        try:
            student = await self.student.complete(messages, replace(options, logprobs=True))
        except (ProviderError, OutputError) as exc:
            log.warning("hybrid student %s failed (%s)", self.student.model_id, exc)
            calls = _role(exc.calls, STUDENT)
            return _Assessment(None, 0.0, STUDENT_FAILED, TEACHER, calls, started, str(exc))
        calls = _role(student.call_log, STUDENT)
        if not student.text.strip():
            confidence, method = 0.0, EMPTY_ANSWER
        elif student.confidence is not None:
            confidence, method = student.confidence, LOGPROBS
        else:
            rating = await self.rater.rate(self.student, messages, student.text)
            confidence, method = rating.confidence, rating.method
            calls = (*calls, *rating.calls)
        return _Assessment(student, confidence, method, self.decide(confidence), calls, started)

    def _teacher_failed(self, judged: _Assessment, exc: ProviderError | OutputError) -> _Assessment:
        """The student's answer stands when the teacher fails; raise if there is none."""
        calls = (*judged.calls, *_role(exc.calls, TEACHER))
        if judged.student is None:
            exc.calls = calls
            raise exc
        log.warning(
            "hybrid teacher %s failed (%s): the student's answer stands", self.teacher.model_id, exc
        )
        return replace(judged, decision=STUDENT, calls=calls, error=f"teacher: {exc}")

    async def _finish(
        self, messages: Sequence[ChatMessage], judged: _Assessment, teacher: Completion | None
    ) -> Completion:
        """Log the decision, record the pair, and build the answer to return."""
        info: dict[str, Any] = {
            "decision": judged.decision,
            "confidence": round(judged.confidence, 4),
            "method": judged.method,
            "student": self.student.model_id,
            "teacher": self.teacher.model_id,
        }
        if judged.error:
            info["teacher_error" if judged.student else "student_error"] = judged.error
        log.info(
            "hybrid decision: %s (confidence %.3f by %s; student %s, teacher %s)%s",
            judged.decision,
            judged.confidence,
            judged.method,
            self.student.model_id,
            self.teacher.model_id,
            f"; {judged.error}" if judged.error else "",
        )
        if teacher is not None:
            calls = (*judged.calls, *_role(teacher.call_log, TEACHER))
            result = replace(teacher, calls=calls, extras={**teacher.extras, "hybrid": info})
        else:
            student = judged.student
            assert student is not None  # only the teacher answers when the student failed
            result = replace(
                student,
                confidence=judged.confidence,
                calls=judged.calls,
                extras={**student.extras, "hybrid": info},
            )
            if judged.decision == HANDED_OFF:
                reason = (
                    f"the student {self.student.model_id} was unsure: confidence "
                    f"{judged.confidence:.2f} ({judged.method}) is below {self.low:.2f}"
                )
                result = replace(
                    result,
                    text="",
                    parsed=None,
                    finish_reason=HANDOFF,
                    extras={**result.extras, "handoff_reason": reason},
                )
        await self._record(messages, judged, teacher)
        return replace(result, latency_ms=(time.perf_counter() - judged.started) * 1000)

    async def _record(
        self, messages: Sequence[ChatMessage], judged: _Assessment, teacher: Completion | None
    ) -> None:
        """Add the decision to the tutor-pair log; a failure here must not lose the answer."""
        if self.pair_log is None or judged.student is None:
            return
        pair = TutorPair(
            prompt=tuple(messages),
            student_model=judged.student.model_id,
            student_text=judged.student.text,
            confidence=judged.confidence,
            method=judged.method,
            decision=judged.decision,
            teacher_model=teacher.model_id if teacher is not None else None,
            teacher_text=teacher.text if teacher is not None else None,
        )
        try:
            await self.pair_log.record(pair)
        except Exception:
            log.exception("could not record the tutor pair; the answer is unaffected")


def _role(calls: Sequence[CallRecord], role: str) -> tuple[CallRecord, ...]:
    """``calls`` marked as made for ``role`` (a student's repairs are student calls too)."""
    return tuple(replace(call, role=role) for call in calls)
