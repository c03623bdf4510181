"""The heuristic score every /compare answer gets, and the ranking built from it.

Each answered (``ok``) answer gets four parts, each between 0 and 1, and a
weighted total:

========================  ======  =================================================
part                      weight  what earns it
========================  ======  =================================================
``structure``             0.30    half length (40..400 words is full marks; shorter
                                  scales down, longer decays slowly), half layout:
                                  paragraphs, a list, headings, a code block (two
                                  of these earn full marks)
``completeness``          0.40    three quarters: the share of the question's key
                                  terms the answer covers; one quarter: it ends
                                  cleanly (0 when the model hit ``max_tokens``,
                                  half when the text stops mid-sentence)
``speed``                 0.15    relative to the fastest answer:
                                  (fastest + 50 ms) / (this + 50 ms)
``cost``                  0.15    relative to the cheapest answer:
                                  (cheapest + $0.0001) / (this + $0.0001);
                                  an unknown cost is neutral (0.5)
========================  ======  =================================================

The small constants added to speed and cost keep a 1 ms or a $0.00001
difference from deciding anything; they still break ties between otherwise
equal answers. A refusal ("I can't help with that", "As an AI...", an empty
answer) is flagged ``refusal`` and its total is cut to a tenth. Timed-out and
failed answers get no score and rank last, in position order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

from agents.compare.result import HeuristicScore, JudgeReport, ModelAnswer, Ranking
from agents.providers.base import REFUSAL

WEIGHTS = {"structure": 0.30, "completeness": 0.40, "speed": 0.15, "cost": 0.15}
#: A refusal keeps this share of its total.
REFUSAL_FACTOR = 0.1
#: Words for full length marks.
GOOD_LENGTH = (40, 400)
#: Smoothing of the relative speed (ms) and cost (USD) parts.
LATENCY_FLOOR_MS = 50.0
COST_FLOOR_USD = 1e-4
#: The part given when latency or cost is unknown.
NEUTRAL = 0.5

_REFUSALS = re.compile(
    r"\b(?:"
    r"i(?:'m| am)? (?:sorry,? (?:but )?)?(?:i )?(?:can(?:'|no)t|cannot|won'?t|am unable to"
    r"|'m unable to|am not able to|'m not able to) (?:help|assist|answer|provide|do that"
    r"|comply|fulfil)"
    r"|as an ai\b|as a(?:n ai)? language model"
    r"|i (?:must|have to) (?:decline|refuse)"
    r")",
    re.IGNORECASE,
)
#: Refusals are told in the opening words; later mentions are usually quotes or caveats.
_REFUSAL_WINDOW = 300

_WORD = re.compile(r"[a-z0-9][a-z0-9+#'-]*")
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+\S")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S|\*\*[^*]+\*\*:?\s*$|[A-Z][^.!?]{0,60}:\s*$)")
_FENCE = re.compile(r"^\s*```", re.MULTILINE)
_CLEAN_ENDINGS = tuple(".!?)]}\"'`*:;")
_STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with about from into over
    under is are was were be been being do does did doing have has had having i me my we
    our you your he she it its they them their this that these those what which who whom
    whose when where why how can could should would will shall may might must not no yes
    so than too very just also any all some more most other such only own same both each
    few there here out up down off again once please tell explain give show make get use
    know like want need one two way best good does much many""".split()
)


def is_refusal(text: str) -> bool:
    """Whether ``text`` declines to answer (or says nothing at all)."""
    stripped = text.strip()
    return not stripped or _REFUSALS.search(stripped[:_REFUSAL_WINDOW]) is not None


def key_terms(text: str) -> set[str]:
    """The words of ``text`` that carry meaning, lightly stemmed (caterers → cater)."""
    return {_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS} - {""}


def structure(text: str) -> float:
    """Length and layout, 0..1 (see the module docstring)."""
    words = len(text.split())
    low, high = GOOD_LENGTH
    if words < low:
        length = words / low
    elif words <= high:
        length = 1.0
    else:  # long answers lose slowly: 800 words still get 0.5
        length = max(0.25, high / words)
    lines = text.splitlines()
    features = sum(
        (
            len([block for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]) >= 2,
            sum(1 for line in lines if _LIST_ITEM.match(line)) >= 2,
            any(_HEADING.match(line) for line in lines),
            len(_FENCE.findall(text)) >= 2,
        )
    )
    return 0.5 * length + 0.5 * min(1.0, features / 2)


def completeness(question: str, text: str, finish_reason: str | None = None) -> float:
    """Coverage of the question's key terms, and a clean ending, 0..1."""
    wanted = key_terms(question)
    coverage = len(wanted & key_terms(text)) / len(wanted) if wanted else 1.0
    return 0.75 * coverage + 0.25 * _ending(text, finish_reason)


def score_answers(question: str, answers: Sequence[ModelAnswer]) -> dict[int, HeuristicScore]:
    """The heuristic score of each ``ok`` answer, by position (others get none)."""
    answered = [answer for answer in answers if answer.status == "ok"]
    latencies = [a.latency_ms for a in answered if a.latency_ms is not None]
    costs = [a.cost_usd for a in answered if a.cost_usd is not None]
    fastest = min(latencies) if latencies else None
    cheapest = min(costs) if costs else None
    scores: dict[int, HeuristicScore] = {}
    for answer in answered:
        parts = {
            "structure": structure(answer.text),
            "completeness": completeness(question, answer.text, answer.finish_reason),
            "speed": _relative(answer.latency_ms, fastest, LATENCY_FLOOR_MS),
            "cost": _relative(answer.cost_usd, cheapest, COST_FLOOR_USD),
        }
        total = sum(WEIGHTS[name] * value for name, value in parts.items())
        refusal = answer.finish_reason == REFUSAL or is_refusal(answer.text)
        if refusal:
            total *= REFUSAL_FACTOR
        scores[answer.position] = HeuristicScore(
            total=round(total, 4),
            parts={name: round(value, 4) for name, value in parts.items()},
            refusal=refusal,
        )
    return scores


def rank(
    answers: Sequence[ModelAnswer],
    scores: dict[int, HeuristicScore],
    judge: JudgeReport | None = None,
) -> Ranking:
    """Positions best first: the judge's winner when it named one, then by heuristic score.

    Equal scores go to the faster answer, then the earlier position. Answers
    without a score (timed out, failed) come last, in position order.
    """
    scored = [answer for answer in answers if answer.position in scores]
    scored.sort(
        key=lambda a: (
            -scores[a.position].total,
            a.latency_ms if a.latency_ms is not None else math.inf,
            a.position,
        )
    )
    order = [answer.position for answer in scored]
    order += sorted(answer.position for answer in answers if answer.position not in scores)
    method: Literal["heuristic", "judge"] = "heuristic"
    if judge is not None and judge.outcome == "winner" and judge.winner in scores:
        order.remove(judge.winner)
        order.insert(0, judge.winner)
        method = "judge"
    return Ranking(order=tuple(order), scores=dict(scores), method=method, judge=judge)


def _relative(value: float | None, best: float | None, floor: float) -> float:
    if value is None or best is None:
        return NEUTRAL
    return min(1.0, (best + floor) / (value + floor))


def _ending(text: str, finish_reason: str | None) -> float:
    if finish_reason == "length":
        return 0.0
    stripped = text.rstrip()
    if not stripped:
        return 0.0
    last_line = stripped.splitlines()[-1]
    if stripped.endswith(_CLEAN_ENDINGS) or _LIST_ITEM.match(last_line):
        return 1.0
    return 0.5


def _stem(word: str) -> str:
    word = word.strip("'-")
    for suffix in ("ingly", "ing", "edly", "ed", "ers", "er", "ies", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
