"""Answer quality through the real orchestrator: facts right, unknowns declined.

Asks every question of a probe file (default ``../shared/data/answers-dev.jsonl``:
``{"text", "kind": "fact"|"unknown", "expect_any": [substrings]}``) through
`Runtime` with the configured provider (the embedded SmolLM2 by default) on a
fresh SQLite database, each from a new customer on SMS, and prints one JSON line:

- facts_right: fact questions answered (not declined) with one of ``expect_any``;
- unknowns_declined: unknown questions the bot declined. "Declined" is read from
  the stored reply (meta ``answer`` "not-sure", a handoff, a clarifying question),
  never from its wording; a declined fact question counts as wrong;
- invented_amounts: replies naming an amount (any currency) the documents do not;
- p50_ms / p95_ms: answer time per question (fact questions: fact_p50_ms);
- wrong: every miss with its reply, to read.

With ``--conversations FILE`` (default bench/data/conversations.jsonl when
given without a value) it also runs scripts of turns from one customer each,
printing a JSON line per conversation: its turns, repeated replies, and facts
given (turns with ``expect_any`` answered with one of them), then a summary
line comparing the facts given in context with the same questions asked alone
(each from a new customer).

With ``--openings`` (default bench/data/lead-openings.jsonl: ``{"text"}``) it
sends each lead opening from a new customer and prints one JSON line: replies
asking for the next missing lead field (the first of date, guests, city, name
the message did not give, worked out by the lead agent's own code), replies
repeating the customer, apologising for nothing, or asking for a field the
message gave.

An amount a quote worked out in code (stored meta ``quote``: 25 x $60 = $1,500)
is not counted as invented.

    python -m bench.answers [--file F] [--conversations [F]] [--openings [F]] [--limit N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.knowledge.amounts import amounts
from agents.replies import near_repeat
from bench.lead_openings import openings
from bot.runtime import Runtime
from bot.settings import load_settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.models import Message

ROOT = Path(__file__).resolve().parents[1]
DEV_FILE = ROOT.parent / "shared" / "data" / "answers-dev.jsonl"
CONVERSATIONS = Path(__file__).parent / "data" / "conversations.jsonl"
OPENINGS = Path(__file__).parent / "data" / "lead-openings.jsonl"


@dataclass(frozen=True, slots=True)
class Answer:
    """One reply as stored: its text, agent, whether it declined, and how long it took."""

    text: str
    agent: str
    declined: bool
    how: str
    ms: float
    #: Amounts a quote worked out in code (its arithmetic lines and total).
    worked_out: frozenset = frozenset()


def declined(agent: str | None, meta: dict[str, Any]) -> bool:
    """Whether a stored reply declined to answer: not sure, a handoff, or a clarifying question."""
    return bool(
        meta.get("answer") == "not-sure"
        or meta.get("handoff")
        or meta.get("clarify")
        or agent in {"clarify", "human"}
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of ``path``, one per non-empty line."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class Asker:
    """A runtime on a fresh SQLite file, asking as customers on SMS."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._sent = 0

    @classmethod
    async def start(cls, folder: Path, **overrides: object) -> Asker:
        """A runtime on a new database in ``folder`` with an SMS recording channel."""
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{folder / 'answers.db'}", **overrides
        )
        runtime = await Runtime.start(settings, channels={"sms": RecordingChannel("sms")})
        warm_up = getattr(runtime.provider, "warm_up", None)
        if warm_up is not None:
            await warm_up()
        # The router's sentence vectors, as a server has them after its first minutes
        # (embedding the examples on a cold cache takes minutes on a busy machine).
        prepare = getattr(runtime.orchestrator.router, "prepare", None)
        if prepare is not None:
            await prepare()
        return cls(runtime)

    async def ask(self, text: str, *, customer: int) -> Answer:
        """``text`` from customer number ``customer``; the stored reply, read back."""
        self._sent += 1
        phone = f"+1415555{customer:04d}"
        incoming = IncomingMessage(
            channel="sms",
            sender=Address("phone", phone),
            conversation_key=phone,
            text=text,
            external_id=f"SMbench{self._sent}",
        )
        started = time.perf_counter()
        reply = await self.runtime.orchestrator.handle(incoming)
        ms = (time.perf_counter() - started) * 1000
        if reply is None:
            return Answer("", "none", True, "none", ms)
        async with self.runtime.db.sessions() as session:
            stored = await session.get(Message, reply.reply_message_id)
        meta = dict(stored.meta or {}) if stored else {}
        how = str(meta.get("answer") or reply.completion.model)
        quote = meta.get("quote") or {}
        worked = amounts(" ".join([*quote.get("lines", []), f"${quote.get('total', '')}"]))
        return Answer(
            reply.text, reply.agent, declined(reply.agent, meta), how, ms, frozenset(worked)
        )

    async def aclose(self) -> None:
        """Stop the runtime."""
        await self.runtime.aclose()


def documents_amounts(folder: Path) -> set:
    """Every amount the business's documents name."""
    found = set()
    for path in sorted(folder.glob("*.md")) + sorted(folder.glob("*.yml")):
        found |= amounts(path.read_text())
    return found


def _hit(text: str, expect: list[str]) -> bool:
    return any(e.lower() in text.lower() for e in expect)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def probe(asker: Asker, rows: list[dict[str, Any]], known: set) -> dict[str, Any]:
    """Ask each row from a new customer; the figures and the wrong answers."""
    facts = [r for r in rows if r["kind"] == "fact"]
    unknowns = [r for r in rows if r["kind"] == "unknown"]
    right = declined_unknowns = invented = 0
    times: list[float] = []
    fact_times: list[float] = []
    wrong: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        answer = await asker.ask(row["text"], customer=i)
        times.append(answer.ms)
        extra = sorted(str(a) for a in amounts(answer.text) - known - answer.worked_out)
        invented += bool(extra)
        if row["kind"] == "fact":
            fact_times.append(answer.ms)
            ok = not answer.declined and _hit(answer.text, row.get("expect_any") or [])
        else:
            ok = answer.declined
        right += ok and row["kind"] == "fact"
        declined_unknowns += ok and row["kind"] == "unknown"
        if not ok or extra:
            wrong.append(
                {"q": row["text"], "kind": row["kind"], "agent": answer.agent, "how": answer.how}
                | {"declined": answer.declined, "reply": answer.text, "invented": extra}
            )
    return {
        "facts_right": f"{right}/{len(facts)}",
        "unknowns_declined": f"{declined_unknowns}/{len(unknowns)}",
        "invented_amounts": invented,
        "p50_ms": _pct(times, 0.5),
        "p95_ms": _pct(times, 0.95),
        "fact_p50_ms": _pct(fact_times, 0.5),
        "mean_ms": round(statistics.mean(times), 1) if times else 0.0,
        "wrong": wrong,
    }


async def converse(asker: Asker, script: dict[str, Any], customer: int) -> dict[str, Any]:
    """Run one conversation; its turns, repeated replies and facts given."""
    sent: list[str] = []
    turns = []
    repeats = given = asked = 0
    for turn in script["turns"]:
        answer = await asker.ask(turn["text"], customer=customer)
        repeat = near_repeat(answer.text, sent)
        repeats += repeat
        sent.append(answer.text)
        expect = turn.get("expect_any")
        ok = None
        if expect:
            asked += 1
            ok = not answer.declined and _hit(answer.text, expect)
            given += ok
        turns.append(
            {"q": turn["text"], "reply": answer.text, "how": answer.how, "ok": ok}
            | ({"repeat": True} if repeat else {})
        )
    return {
        "conversation": script.get("name", customer),
        "repeated": repeats,
        "facts_given": f"{given}/{asked}",
        "turns": turns,
    }


async def alone(asker: Asker, scripts: list[dict[str, Any]], customer: int) -> dict[str, Any]:
    """The conversations' fact turns asked alone, each from a new customer: the baseline
    facts in context are compared with."""
    given = asked = 0
    for script in scripts:
        for turn in script["turns"]:
            if turn.get("expect_any"):
                customer += 1
                answer = await asker.ask(turn["text"], customer=customer)
                asked += 1
                given += not answer.declined and _hit(answer.text, turn["expect_any"])
    return {"facts_alone": f"{given}/{asked}"}


async def main(args: argparse.Namespace) -> None:
    rows = read_jsonl(args.file)[: args.limit or None]
    with tempfile.TemporaryDirectory() as tmp:
        asker = await Asker.start(Path(tmp))
        try:
            known = documents_amounts(asker.runtime.settings.business_dir)
            started = time.perf_counter()
            result = await probe(asker, rows, known) if rows else {}
            result = {
                "bench": "answers",
                "file": args.file.name,
                "questions": len(rows),
                "model": asker.runtime.provider.model_id,
                **result,
                "wall_s": round(time.perf_counter() - started, 1),
            }
            if rows:
                print(json.dumps(result), flush=True)
            if args.conversations:
                scripts = read_jsonl(args.conversations)
                repeated = 0
                given = asked = 0
                for n, script in enumerate(scripts):
                    line = await converse(asker, script, 9000 + n)
                    repeated += line["repeated"]
                    g, a = line["facts_given"].split("/")
                    given, asked = given + int(g), asked + int(a)
                    print(json.dumps(line), flush=True)
                summary = {"bench": "conversations", "conversations": len(scripts)}
                summary |= {"repeated": repeated, "facts_in_context": f"{given}/{asked}"}
                print(json.dumps(summary | await alone(asker, scripts, 8000)), flush=True)
            if args.openings:
                opening_rows = read_jsonl(args.openings)[: args.limit or None]
                folder = asker.runtime.settings.business_dir
                result = await openings(asker.ask, opening_rows, folder, customer=7000)
                print(json.dumps(result), flush=True)
        finally:
            await asker.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.answers", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--file", type=Path, default=DEV_FILE)
    parser.add_argument("--conversations", type=Path, nargs="?", const=CONVERSATIONS)
    parser.add_argument("--openings", type=Path, nargs="?", const=OPENINGS)
    parser.add_argument("--limit", type=int, default=0, help="Ask only the first N questions.")
    asyncio.run(main(parser.parse_args()))
