"""How sure a student model is of its answer: token log-probabilities, or a self-rating.

The hybrid provider (`agents.providers.hybrid`) needs one number in [0, 1] per
student answer. Two ways to get it, the first preferred:

- **logprobs**: a backend called with ``logprobs=True`` that has token
  log-probabilities (OpenAI-compatible servers, the embedded llama.cpp model)
  sets `Completion.confidence` to `confidence_from_logprobs`: the exponential
  of the mean token log-probability, i.e. the geometric mean of the
  probabilities of the tokens the model chose. It costs no extra call.
- **self-rating**: otherwise `SelfRater` asks the student a tiny second
  question ("how sure, 0-10?") and maps the number through a `CalibrationCurve`.

Why a calibration curve: verbalised confidence is badly calibrated, and small
instruction-tuned models over-report most: they answer 8 to 10 for almost
anything, right or wrong. The curve shrinks what they say. `DEFAULT_CALIBRATION`
is a prior, not fitted to data: it encodes "discount high self-ratings, and
treat the middle of the scale as unsure". Fit a curve for your student from the
tutor-pair log (how often the teacher agreed at each rating) and pass it as
``SelfRater(curve=...)``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

from agents.errors import OutputError, ProviderError
from agents.providers.base import CallOptions, CallRecord, ChatMessage

if TYPE_CHECKING:
    from agents.providers.base import ModelProvider

log = logging.getLogger(__name__)

#: `Completion.confidence` came from token log-probabilities.
LOGPROBS = "logprobs"
#: The student rated itself and the rating was read.
SELF_RATING = "self_rating"
#: The student was asked to rate itself but gave no usable number.
SELF_RATING_UNPARSED = "self_rating_unparsed"


def confidence_from_logprobs(logprobs: Iterable[float]) -> float | None:
    """exp(mean log-probability) of the chosen tokens; None when there are none.

    The geometric mean of the token probabilities: one unlikely token pulls
    it down without dominating a long answer, and it does not shrink with
    length the way the joint probability does.
    """
    values = [float(lp) for lp in logprobs if lp is not None and not math.isnan(lp)]
    if not values:
        return None
    return min(1.0, max(0.0, math.exp(sum(values) / len(values))))


@dataclass(frozen=True, slots=True)
class CalibrationCurve:
    """A piecewise-linear map from a self-rating (0-1) to a confidence (0-1).

    ``points`` are ``(rating, confidence)`` pairs with ratings increasing;
    between points the curve is linear, beyond the ends it is flat.
    """

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise ValueError("a calibration curve needs at least two points")
        xs = [x for x, _ in self.points]
        if any(b <= a for a, b in pairwise(xs)):
            raise ValueError("calibration ratings must increase strictly")
        if any(not (0.0 <= v <= 1.0) for point in self.points for v in point):
            raise ValueError("calibration points must lie in [0, 1] x [0, 1]")

    def __call__(self, rating: float) -> float:
        """The calibrated confidence of a rating in [0, 1]."""
        points = self.points
        if rating <= points[0][0]:
            return points[0][1]
        for (x0, y0), (x1, y1) in pairwise(points):
            if rating <= x1:
                return y0 + (y1 - y0) * (rating - x0) / (x1 - x0)
        return points[-1][1]


#: A prior, not a fit (see the module docstring): 10/10 → 0.85, 9 → 0.70,
#: 7 → 0.45, 5 → 0.30, 0 → 0. With the default thresholds (0.75 / 0.40)
#: only a perfect self-rating lets a student's answer stand, 7 to 9 asks the
#: teacher, and 6 or less hands the conversation to a person.
DEFAULT_CALIBRATION = CalibrationCurve(
    ((0.0, 0.0), (0.5, 0.30), (0.7, 0.45), (0.9, 0.70), (1.0, 0.85))
)

# "0-10", "0 to 10", "from 1 to 10": the scale echoed back is not the rating.
_SCALE = re.compile(r"(?:\bfrom\s+)?(?<![\d.])[01]\s*(?:-|–|to)\s*10\b", re.IGNORECASE)
_NUMBER = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*(%|/\s*100\b|/\s*10\b|out\s+of\s+100\b|out\s+of\s+10\b)?",
    re.IGNORECASE,
)
_WORDS = dict(
    zip(
        "zero one two three four five six seven eight nine ten".split(),
        range(11),
        strict=True,
    )
)


def parse_rating(text: str) -> float | None:
    """The 0-10 rating in a model's reply, or None when there is none.

    Reads "8", "8/10", "7.5 out of 10", "80%", "Confidence: eight"; ignores an
    echoed scale ("on a scale of 0 to 10, 7"); takes a bare number above 10
    (and at most 100) as a percentage, the common slip of a small model.
    """
    cleaned = _SCALE.sub(" ", text)
    for match in _NUMBER.finditer(cleaned):
        value = float(match.group(1).replace(",", "."))
        unit = re.sub(r"\s+", "", (match.group(2) or "").lower())
        if unit in {"%", "/100", "outof100"} or (not unit and 10 < value <= 100):
            value /= 10
        if 0.0 <= value <= 10.0:
            return value
    words = re.findall(r"[a-z]+", cleaned.lower())
    if len(words) <= 3:  # "eight", "Confidence: eight"; not "this one is right"
        for word in words:
            if word in _WORDS:
                return float(_WORDS[word])
    return None


@dataclass(frozen=True, slots=True)
class Rating:
    """A measured self-rating: the confidence and how it was reached."""

    confidence: float
    method: str  # SELF_RATING or SELF_RATING_UNPARSED
    raw: float | None  # the 0-10 number the model gave, if any
    reply: str  # what the model said
    calls: tuple[CallRecord, ...] = ()


RATING_SYSTEM = (
    "You check answers. Reply with one number from 0 to 10: how sure you are that the "
    "answer is correct and helpful. No words."
)


class SelfRater:
    """Asks a model how sure it is of an answer, and calibrates what it says.

    The question is kept tiny on purpose: only the customer's last message and
    the answer, not the whole conversation and system prompt, so a rating
    costs a few dozen tokens instead of doubling the input bill. The price is
    that the rater judges plausibility, not the business facts it cannot see.
    """

    def __init__(
        self,
        curve: CalibrationCurve = DEFAULT_CALIBRATION,
        *,
        unrated: float = 0.0,
        max_tokens: int = 6,
        max_chars: int = 1200,
    ) -> None:
        """``unrated`` is the confidence given to a reply with no usable number."""
        if not 0.0 <= unrated <= 1.0:
            raise ValueError("unrated must lie in [0, 1]")
        self.curve = curve
        self.unrated = unrated
        self.max_tokens = max_tokens
        self.max_chars = max_chars

    def question(self, messages: Sequence[ChatMessage], answer: str) -> list[ChatMessage]:
        """The rating prompt for ``answer`` to the last user message of ``messages``."""
        asked = next((m.content for m in reversed(messages) if m.role == "user"), "")
        return [
            ChatMessage("system", RATING_SYSTEM),
            ChatMessage(
                "user",
                f"Question: {_clip(asked, self.max_chars)}\n\n"
                f"Answer: {_clip(answer, self.max_chars)}\n\nHow sure, 0-10?",
            ),
        ]

    async def rate(
        self, model: ModelProvider, messages: Sequence[ChatMessage], answer: str
    ) -> Rating:
        """Ask ``model`` to rate ``answer``; a failed or unreadable rating counts as unsure."""
        try:
            reply = await model.complete(
                self.question(messages, answer),
                CallOptions(max_tokens=self.max_tokens, temperature=0.0),
            )
        except (ProviderError, OutputError) as exc:
            log.warning("self-rating by %s failed (%s): treated as unsure", model.model_id, exc)
            return Rating(self.unrated, SELF_RATING_UNPARSED, None, "", _as_rating(exc.calls))
        calls = _as_rating(reply.call_log)
        raw = parse_rating(reply.text)
        if raw is None:
            log.warning(
                "self-rating by %s unreadable (%r): confidence %.2f",
                model.model_id,
                reply.text[:80],
                self.unrated,
            )
            return Rating(self.unrated, SELF_RATING_UNPARSED, None, reply.text, calls)
        return Rating(self.curve(raw / 10.0), SELF_RATING, raw, reply.text, calls)


def _as_rating(calls: Sequence[CallRecord]) -> tuple[CallRecord, ...]:
    return tuple(replace(call, role="self_rating") for call in calls)


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
