"""Turning the judge's answers into pair outcomes and one overall outcome.

Pure functions, no model calls: the rules the judge's report follows, in one
place. The judge reads each pair twice, once in each order. Only a winner
named in both orders counts; anything else is reported as it is (``tie``,
``inconsistent``, ``invalid``) rather than turned into a made-up winner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from agents.compare.result import PairOutcome, PairVerdict

#: What one order of one pair gave: a position (as text), ``tie`` or ``invalid``.
TIE = "tie"
INVALID = "invalid"

Overall = Literal["winner", "tie", "inconsistent", "failed"]


def pair_outcome(first_order: str, second_order: str) -> PairOutcome:
    """The pair's outcome from its two orders' verdicts.

    The same position both times: that position; ``tie`` both times: ``tie``;
    an invalid verdict in either: ``invalid`` (consistency cannot be checked);
    anything else, ``inconsistent``: the verdict followed the order, not the answers.
    """
    if INVALID in (first_order, second_order):
        return "invalid"
    if first_order == second_order:
        return "tie" if first_order == TIE else int(first_order)
    return "inconsistent"


def overall(pairs: Sequence[PairVerdict]) -> tuple[Overall, int | None, str | None]:
    """The judge's conclusion over all pairs: (outcome, winner, note).

    - no valid pair: ``failed``;
    - any inconsistent pair: ``inconsistent``;
    - every valid pair a tie: ``tie``;
    - one position that won every decided pair it was in (and at least one):
      ``winner``;
    - several such positions that tied each other: ``tie`` (for first place);
    - otherwise (a cycle, say): ``inconsistent``.

    Invalid pairs are left out of the decision, and the note says how many.
    """
    valid = [pair for pair in pairs if pair.outcome != "invalid"]
    invalid = len(pairs) - len(valid)
    left_out = (
        f"{invalid} of {len(pairs)} pairs got an invalid verdict and were left out"
        if invalid
        else None
    )
    if not valid:
        return "failed", None, "the judge gave no valid verdict"
    if any(pair.outcome == "inconsistent" for pair in valid):
        flipped = "the verdict changed with the order of the answers"
        return "inconsistent", None, _join(flipped, left_out)
    if all(pair.outcome == "tie" for pair in valid):
        return "tie", None, left_out
    wins: Counter[int] = Counter()
    beaten: set[int] = set()
    for pair in valid:
        if isinstance(pair.outcome, int):
            wins[pair.outcome] += 1
            beaten.add(pair.second if pair.outcome == pair.first else pair.first)
    unbeaten = sorted(position for position in wins if position not in beaten)
    if len(unbeaten) == 1:
        return "winner", unbeaten[0], left_out
    if unbeaten and _tied_with_each_other(unbeaten, valid):
        names = " and ".join(f"answer {position}" for position in unbeaten)
        return "tie", None, _join(f"{names} tied for first", left_out)
    return "inconsistent", None, _join("no single answer won all its comparisons", left_out)


def _tied_with_each_other(positions: Sequence[int], pairs: Sequence[PairVerdict]) -> bool:
    wanted = {frozenset((a, b)) for i, a in enumerate(positions) for b in positions[i + 1 :]}
    tied = {frozenset((p.first, p.second)) for p in pairs if p.outcome == "tie"}
    return wanted <= tied


def _join(*notes: str | None) -> str | None:
    text = "; ".join(note for note in notes if note)
    return text or None
