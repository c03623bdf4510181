"""The team console as tests use it: the bot with SMS (fake Twilio), a console token,
a compare on record, a handed-off SMS conversation, and a logged-in HTTP client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from agents.routing.base import HUMAN_ROUTE
from bot.testing.sms_bot import CUSTOMER, SmsBot, running_sms_bot
from memory.db import Database
from tests.support.compare_models import model_id
from tests.support.routers import ScriptedRouter

ADMIN_TOKEN = "console-token-of-the-tests-0123456789"
#: What the customer texts to be handed to a person.
ASK_FOR_A_PERSON = "I want to talk to a manager"
COMPARE_QUESTION = "What is 2 + 2?"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@asynccontextmanager
async def running_console(database: Database, **overrides: object) -> AsyncIterator[SmsBot]:
    """The bot with SMS on and the console on (``ADMIN_API_TOKEN``), no Slack ops channel.

    The router hands `ASK_FOR_A_PERSON` to a person; /compare asks three
    scripted models with a scripted judge.
    """
    settings: dict[str, object] = {
        "admin_api_token": ADMIN_TOKEN,
        "compare_models": ",".join(model_id(n) for n in ("quick", "steady", "slow")),
        "compare_judge_model": model_id("judge_for_steady"),
        "compare_timeout_s": 2.0,
        "compare_deadline_s": 5.0,
        "monthly_budget_usd": 10.0,
        **overrides,
    }
    async with running_sms_bot(database, **settings) as bot:
        bot.runtime.orchestrator.router = ScriptedRouter({ASK_FOR_A_PERSON: (HUMAN_ROUTE, 0.9)})
        yield bot


async def hand_off(bot: SmsBot, *, sender: str = CUSTOMER) -> int:
    """A customer texts, is answered, then asks for a person; the conversation's id."""
    assert (await bot.text("Do you cater weddings?", sender=sender)).status_code == 200
    await bot.settle()
    assert (await bot.text(ASK_FOR_A_PERSON, sender=sender)).status_code == 200
    await bot.settle()
    active = await bot.runtime.orchestrator.handoffs.store.active()
    assert active, "the conversation was not handed off"
    return active[-1].conversation_id


async def record_compare(bot: SmsBot) -> int:
    """A compare run and stored, as /compare in Slack would; its id."""
    stored = await bot.runtime.compare.compare(COMPARE_QUESTION, asker="slack:U1", channel="slack")
    return stored.id


def csrf_of(page: str) -> str:
    """The CSRF token in a console page's forms."""
    found = CSRF.search(page)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def log_in(
    http: httpx.AsyncClient, *, name: str = "Sam Chef", email: str = "sam@acme.test"
) -> str:
    """Log ``http`` in (it keeps the session cookie); the session's CSRF token."""
    form = await http.get("/admin/login")
    answer = await http.post(
        "/admin/login",
        data={
            "csrf": csrf_of(form.text),
            "name": name,
            "email": email,
            "token": ADMIN_TOKEN,
            "next": "/admin/conversations",
        },
    )
    assert answer.status_code == 303, answer.text
    page = await http.get("/admin/conversations")
    assert page.status_code == 200
    return csrf_of(page.text)
