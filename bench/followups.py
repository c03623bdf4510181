"""Lead capture and follow-ups: how long the lead agent's tools and one follow-up round take.

Prints one JSON line: lead-field extraction per message (rules only), the lead
agent's `prepare` per message (extract, merge, score, plan a follow-up: three
transactions), and one `bot followups run` round over N due follow-ups sent
through a recording channel with a function model (the database and the
runner's own work, no vendor).

    python -m bench.followups [--leads 200] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import UTC, date, datetime

from agents.business import BusinessProfile
from agents.lead_nurturing.agent import LeadNurturingAgent
from agents.lead_nurturing.extraction import extract_lead
from agents.providers.function import FunctionProvider
from agents.request import AgentRequest
from agents.tools import AgentTools
from bench.databases import drop, fresh_database
from bot.followups.quiet_hours import QuietHours
from bot.followups.runner import FollowUpRunner
from bot.pipeline.outbox import Outbox
from bot.settings import SAMPLE_BUSINESS_DIR
from channels.testing import RecordingChannel
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore
from memory.followups import FollowUpStore
from memory.leads import LeadBook

MESSAGES = [
    "Hi, I'm Dana. How much for a hibachi party for 20 guests on June 14 in San Jose?",
    "we are planning 14/6 for 15 adults and 5 kids, budget $1,500",
    "next Saturday, party of 12, about $40 a head, we're in SF",
    "Do you cook indoors?",
]
#: 15:00 in New York: outside the quiet hours, so every follow-up is sent.
NOW = datetime(2030, 1, 15, 20, 0, tzinfo=UTC)


async def main(leads: int, url: str | None) -> dict[str, object]:
    started = time.perf_counter()
    rounds = 2000
    for i in range(rounds):
        extract_lead(MESSAGES[i % len(MESSAGES)], today=date(2026, 11, 21))
    extract_us = (time.perf_counter() - started) / rounds * 1e6

    with tempfile.TemporaryDirectory() as folder:
        db = await fresh_database(url, folder, "followups.db")
        try:
            store = FollowUpStore(db)
            book = LeadBook(db, followups=store)
            agent = LeadNurturingAgent(
                BusinessProfile.from_folder(SAMPLE_BUSINESS_DIR), tools=AgentTools(leads=book)
            )
            conversations = ConversationStore(db, ContactDirectory(db))
            requests = []
            for i in range(leads):
                phone = f"+1555{i:07d}"
                text = MESSAGES[i % len(MESSAGES)]
                recorded = await conversations.record_incoming(
                    channel="sms",
                    conversation_key=phone,
                    addresses=[("phone", phone)],
                    text=text,
                    external_id=f"SM{i}",
                )
                assert recorded is not None
                requests.append(
                    AgentRequest(
                        text=text,
                        channel="sms",
                        contact_id=recorded.contact_id,
                        conversation_id=recorded.conversation_id,
                    )
                )
            started = time.perf_counter()
            for request in requests:
                await agent.prepare(request)
            prepare_ms = (time.perf_counter() - started) / leads * 1000

            channel = RecordingChannel("sms")
            runner = FollowUpRunner(
                followups=store,
                leads=book,
                outbox=Outbox(channels={"sms": channel}, conversations=conversations),
                agent=agent,
                provider=FunctionProvider(lambda _m: "Still planning your party?", model="bench"),
                quiet_hours=QuietHours.parse("21:00-08:00"),
                default_time_zone="America/New_York",
                max_per_contact=2,
                delay=book.followup_delay,
            )
            started = time.perf_counter()
            outcomes = await runner.run(now=NOW, limit=leads)
            run_s = time.perf_counter() - started
            sent = sum(1 for o in outcomes if o.action == "sent")
        finally:
            await drop(db)
    return {
        "bench": "followups",
        "cpus": os.cpu_count(),
        "database": "postgresql" if url and url.startswith("postgresql") else "sqlite",
        "extract_us_per_message": round(extract_us, 1),
        "prepare_ms_per_message": round(prepare_ms, 2),
        "followups_due": leads,
        "followups_sent": sent,
        "run_s": round(run_s, 3),
        "run_ms_per_followup": round(run_s / max(1, leads) * 1000, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.followups", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--leads", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.leads, args.database_url))))
