"""The web chat in headless Chromium: the demo page streams a reply, shows model output
as text (never HTML), proves a phone number by the code the fake Twilio received, and the
visitor is then the same contact on SMS; a page of another site (an allowed origin)
embeds the widget with one script tag and chats across origins (CORS, EventSource).

Screenshots: web-chat.png (README) and web-chat-embedded.png, in tests/artifacts/ (docs/img/ with
UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.testing.sms_bot import CUSTOMER
from channels.testing import serve_in_background
from memory.db import Database
from memory.models import Identity, Message
from tests.support.browser import browser, screenshot  # noqa: F401  (the fixture)
from tests.support.web_bot import running_web_bot

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

QUESTION = "When do you open?"
#: A reply carrying markup: the widget must show it as characters, never run it.
REPLY = 'We open at nine. Ask for <img src=x onerror="window.__pwned=1"> at the door!'
VIEWPORT = {"width": 900, "height": 640}


@asynccontextmanager
async def shop_site(bot_url: list[str]) -> AsyncIterator[str]:
    """Another site (another origin) with the widget's one script tag on its page."""

    async def page(_request: Request) -> HTMLResponse:
        tag = f'<script src="{bot_url[0]}/web/widget.js" data-title="Ask the shop" async>'
        return HTMLResponse(f"<!doctype html><title>Shop</title><h1>Our shop</h1>{tag}</script>")

    async with serve_in_background(Starlette(routes=[Route("/", page)])) as url:
        yield url


async def database_in(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await database.migrate()
    return database


async def test_a_visitor_chats_proves_their_phone_and_is_known_on_sms(browser, tmp_path):  # noqa: F811
    database = await database_in(tmp_path)
    bot_url: list[str] = []
    try:
        async with (
            shop_site(bot_url) as shop,
            running_web_bot(database, web_chat_origins=shop) as bot,
        ):
            bot.sms.model.replies[QUESTION] = REPLY
            url = str(bot.http.base_url).rstrip("/")
            bot_url.append(url)
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            try:
                await page.goto(f"{url}/chat")  # the widget opens itself (data-open)
                await page.fill("[data-role=input]", QUESTION)
                bot.sms.model.gate.clear()  # the model holds its answer: the page shows "…"
                await page.click("[data-role=send]")
                await page.locator("[data-role=typing]").wait_for(state="visible")
                bot.sms.model.gate.set()
                bubble = page.locator("[data-role=bot]").first
                await bubble.wait_for(timeout=15_000)
                # Sentence by sentence: the bubble grows until the reply's last sentence.
                await page.wait_for_function(
                    "() => document.querySelector('div').shadowRoot"
                    ".querySelector('[data-role=bot]').textContent.endsWith('at the door!')",
                    timeout=15_000,
                )
                assert await bubble.text_content() == REPLY
                assert not await page.locator("[data-role=typing]").is_visible()
                # The markup is text: no image element, nothing ran.
                assert await page.locator("img").count() == 0
                assert await page.evaluate("window.__pwned") is None
                you = page.locator("[data-role=you]")
                assert await you.text_content() == QUESTION

                # Prove the phone number: the code reaches the fake Twilio, then the page.
                await page.click("[data-role=verify-open]")
                await page.fill("[data-role=phone]", "(555) 123-4567")
                await page.click("[data-role=phone-send]")
                [texted] = await bot.sms.fake.wait_for_messages(1, seconds=15)
                assert texted["To"] == CUSTOMER
                code = re.search(r"\b\d{6}\b", texted["Body"])
                assert code is not None
                await page.fill("[data-role=code]", code.group(0))
                await page.click("[data-role=code-send]")
                await page.locator("[data-role=note]", has_text="is verified").wait_for(
                    timeout=15_000
                )
                await screenshot(page, "web-chat")
                token = await page.evaluate(
                    "localStorage.getItem('frontdesk-chat:' + location.origin)"
                )
                visitor = token.split(".")[0]

                # Known on SMS: a text from that number lands on the visitor's contact.
                assert (await bot.sms.text("It's me, from your website")).status_code == 200
                await bot.sms.settle()
                async with database.sessions() as session:
                    web_contact = await session.scalar(
                        select(Identity.contact_id).where(
                            Identity.kind == "web", Identity.external_id == visitor
                        )
                    )
                    sms_contact = await session.scalar(
                        select(Message.contact_id)
                        .where(Message.channel == "sms", Message.direction == "in")
                        .order_by(Message.id.desc())
                    )
                assert web_contact is not None and sms_contact == web_contact

                # The shop's own page: one script tag, the bot on another origin.
                shop_page = await context.new_page()
                await shop_page.goto(shop)
                await shop_page.click("[data-role=open]")
                await shop_page.fill("[data-role=input]", QUESTION)
                await shop_page.click("[data-role=send]")
                await shop_page.locator("[data-role=bot]", has_text="at the door!").wait_for(
                    timeout=15_000
                )
                await screenshot(shop_page, "web-chat-embedded")
            finally:
                await context.close()
    finally:
        await database.dispose()
