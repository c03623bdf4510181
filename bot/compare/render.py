"""/compare as messages: the live rows, the final ranking with its buttons, the win rates.

Plain text (the channels escape it and render the card's buttons natively),
one row per model in line-up order, so an edit changes the row whose answer
arrived, whatever the order. A compare is shown as one message that must
fit the channel's limit (Slack 3,000 characters a section, Telegram 4,096 a
message): the answers share the room left evenly, short ones whole and long
ones cut to equal lengths. The full texts are stored (``GET /api/v1/compare/{id}``).
"""

from __future__ import annotations

from collections.abc import Sequence

from channels.base import Card, CardAction, OutgoingMessage
from channels.text import shorten
from memory.compare_records import ModelStats, StoredAnswer, StoredCompare

#: Button action ids: hidden commands whose value is ``<query id>:<position>``.
BEST_ACTION = "compare_best"
UP_ACTION = "compare_up"
DOWN_ACTION = "compare_down"
#: The title of the final card, above its buttons.
RATE_TITLE = "Which answer is best?"
#: The question is shown whole up to this length (it may be 1,000 characters).
QUESTION_SHOWN = 300
#: An answer is never cut shorter than this while others keep more.
MIN_ANSWER_SHOWN = 40


def answer_figures(answer: StoredAnswer) -> str:
    """``812 ms · 57+120 tokens · $0.000321``, or why there is no answer."""
    if answer.status == "pending":
        return "waiting…"
    if answer.status == "timeout":
        return f"timed out ({answer.error})" if answer.error else "timed out"
    if answer.status == "failed":
        return f"failed: {answer.error or 'unknown error'}"
    latency = "" if answer.latency_ms is None else f"{answer.latency_ms:,.0f} ms · "
    return (
        f"{latency}{answer.input_tokens}+{answer.output_tokens} tokens · "
        f"{format_cost(answer.cost_usd)}"
    )


def format_cost(cost: float | None) -> str:
    """A cost in dollars, small ones to the micro-dollar; None as unknown."""
    if cost is None:
        return "cost unknown"
    return f"${cost:.4f}" if cost >= 0.01 else f"${cost:.6f}"


def live_message(
    question: str,
    answers: Sequence[StoredAnswer],
    *,
    notes: Sequence[str] = (),
    limit: int = 4000,
) -> OutgoingMessage:
    """The message while models answer: a row per model, waiting or answered."""
    waiting = sum(a.status == "pending" for a in answers)
    status = f"{waiting} of {len(answers)} still answering…" if waiting else "ranking…"
    head = [f"Comparing {_models(len(answers))}: {shorten(question, QUESTION_SHOWN)}", *notes]
    return OutgoingMessage(_fit(head, answers, [status], limit))


def final_message(compare: StoredCompare, *, limit: int = 4000) -> OutgoingMessage:
    """The finished compare: every answer, the ranking, and buttons to vote on the answers."""
    if compare.cached:
        head = [
            f"Cached: the answers of compare {compare.source_id} (add --fresh to ask again): "
            f"{shorten(compare.question, QUESTION_SHOWN)}"
        ]
    else:
        head = [
            f"Compare of {_models(len(compare.answers))}: "
            f"{shorten(compare.question, QUESTION_SHOWN)}"
        ]
    head += compare.notes
    card = vote_card(compare)
    # The card (title and, on Telegram, its text) shares the message with the text.
    room = limit - (len(card.as_text()) + 2 if card else 0)
    text = _fit(head, compare.answers, ranking_lines(compare), room, ranks=True)
    return OutgoingMessage(text, card=card)


def ranking_lines(compare: StoredCompare) -> list[str]:
    """How the answers ranked, and what the judge concluded."""
    ranked = compare.ranked
    if not ranked:
        return ["No model answered, so there is no ranking."]
    method = (
        "judge, then heuristic score" if compare.ranking_method == "judge" else "heuristic score"
    )
    order = ", ".join(f"#{a.position} {a.model_id}" + _score(a) for a in ranked)
    lines = [f"Ranking ({method}): {order}"]
    judge = compare.judge
    if judge:
        outcome = judge.get("outcome")
        verdict = f"winner #{judge.get('winner')}" if outcome == "winner" else str(outcome)
        note = f" ({judge['note']})" if judge.get("note") else ""
        lines.append(f"Judge {judge.get('model_id') or compare.judge_model}: {verdict}{note}")
    return lines


def vote_card(compare: StoredCompare) -> Card | None:
    """Buttons per answered model: best answer, 👍 and 👎; None when nothing answered.

    Values carry the id of the compare that owns the answers (a cached
    repeat's votes count for its source), as ``<id>:<position>``: at most
    ~35 bytes of Telegram's 64 with the action id.
    """
    actions: list[CardAction] = []
    for answer in compare.answers:
        if answer.status != "ok":
            continue
        value = f"{compare.source_id}:{answer.position}"
        actions += [
            CardAction(BEST_ACTION, f"🏆 Best: #{answer.position}", value),
            CardAction(UP_ACTION, f"👍 #{answer.position}", value),
            CardAction(DOWN_ACTION, f"👎 #{answer.position}", value),
        ]
    return Card(title=RATE_TITLE, actions=tuple(actions)) if actions else None


def stats_message(stats: Sequence[ModelStats]) -> OutgoingMessage:
    """Win rates per model from the team's votes."""
    if not stats:
        return OutgoingMessage("No compares yet: try /compare <question>.", private=True)
    lines = ["/compare win rates (best-answer votes):"]
    for s in stats:
        rate = (
            "no best-answer votes yet"
            if s.win_rate is None
            else (f"best {s.wins} of {s.contests} ({s.win_rate:.0%})")
        )
        lines.append(f"{s.model_id}: {rate} · 👍 {s.up} · 👎 {s.down} · {s.compares} compares")
    if all(s.contests == 0 for s in stats):
        lines.append("Vote for the best answer under a /compare (🏆).")
    return OutgoingMessage("\n".join(lines), private=True)


def _models(count: int) -> str:
    return f"{count} model{'s' * (count != 1)}"


def fair_shares(lengths: Sequence[int], room: int) -> list[int]:
    """How many characters each text may keep so that together they fit in ``room``.

    Texts shorter than an equal share keep everything; what they leave is
    shared among the others, which end up cut to one equal length.
    """
    shares = [0] * len(lengths)
    left, todo = max(room, 0), sorted(range(len(lengths)), key=lambda i: lengths[i])
    while todo:
        equal = left // len(todo)
        index = todo[0]
        if lengths[index] <= equal:
            shares[index] = lengths[index]
            left -= lengths[index]
            todo.pop(0)
            continue
        for index in todo:
            shares[index] = equal
        break
    return shares


def _fit(
    head: Sequence[str],
    answers: Sequence[StoredAnswer],
    tail: Sequence[str],
    limit: int,
    *,
    ranks: bool = False,
) -> str:
    """The message text, answers shortened evenly so that all of it fits in ``limit``."""
    headers = [_answer_header(a, ranks=ranks) for a in answers]
    texts = [a.text.strip() for a in answers]
    blocks = ["\n".join(head), *headers, "\n".join(tail)]
    # Each answer costs its header, a newline before its text, and a blank line between blocks.
    fixed = sum(len(b) for b in blocks) + 2 * (len(blocks) - 1) + sum(1 for t in texts if t)
    shares = fair_shares([len(t) for t in texts], limit - fixed)
    rows = []
    for header, body, share in zip(headers, texts, shares, strict=True):
        shown = body if share >= len(body) else _cut(body, share)
        rows.append(f"{header}\n{shown}" if shown else header)
    text = "\n\n".join(["\n".join(head), *rows, "\n".join(tail)])
    return shorten(text, limit)  # only when even the headers do not fit


def _cut(text: str, share: int) -> str:
    return shorten(text, share) if share >= MIN_ANSWER_SHOWN else ""


def _answer_header(answer: StoredAnswer, *, ranks: bool) -> str:
    place = f" — rank {answer.rank}" if ranks and answer.rank is not None else ""
    return f"#{answer.position} {answer.model_id}{place} · {answer_figures(answer)}"


def _score(answer: StoredAnswer) -> str:
    return "" if answer.score is None else f" ({answer.score:.2f})"
