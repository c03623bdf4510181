"""The team console in headless Chromium: log in, see a handoff arrive live, answer the
customer by SMS (the fake Twilio receives it), resolve, vote on a compare, view the costs.

Each page is saved as a screenshot, admin-*.png, in tests/artifacts/ for review;
with UPDATE_SCREENSHOTS=1 in docs/img/, where the README and docs/admin.md show
them (so an ordinary run leaves the tracked files alone). The bot runs on
SQLite in the session's event loop, where the browser lives (see
tests/support/browser.py).
"""

from __future__ import annotations

import pytest

from bot.testing.sms_bot import CUSTOMER
from memory.db import Database
from tests.support.admin_console import (
    ADMIN_TOKEN,
    ASK_FOR_A_PERSON,
    hand_off,
    record_compare,
    running_console,
)
from tests.support.browser import browser, screenshot  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

VIEWPORT = {"width": 1100, "height": 720}
OTHER_CUSTOMER = "+15557654321"


async def shoot(page, name: str) -> None:
    """Save the page as admin-<name>.png (see `tests.support.browser.SCREENSHOTS`)."""
    await screenshot(page, f"admin-{name}")


async def test_a_team_member_runs_the_day_from_the_console(browser, tmp_path):  # noqa: F811
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await database.migrate()
    try:
        async with running_console(database) as bot:
            compare_id = await record_compare(bot)
            await bot.text("Are you open on Sundays?", sender=OTHER_CUSTOMER)
            await bot.settle()
            url = str(bot.http.base_url).rstrip("/")
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            try:
                # Not logged in: the console sends the browser to the login form.
                await page.goto(f"{url}/admin/handoffs")
                assert "/admin/login" in page.url
                await page.fill("input[name=name]", "Sam Chef")
                await page.fill("input[name=email]", "sam@acme.test")
                await page.fill("input[name=token]", "wrong-token-wrong-token")
                await shoot(page, "login")
                await page.click("button[type=submit]")
                assert await page.locator(".error").inner_text() == "Wrong token."
                await page.fill("input[name=token]", ADMIN_TOKEN)
                await page.click("button[type=submit]")
                await page.wait_for_url(f"{url}/admin/handoffs")
                assert "No customer is waiting" in await page.inner_text("#handoff-list")

                # A customer asks for a person: the open page shows it without a reload.
                conversation = await hand_off(bot)
                card = page.locator(f"#handoff-{conversation}")
                await card.wait_for(timeout=15_000)
                assert ASK_FOR_A_PERSON in await card.inner_text()
                await page.locator("#handoff-count .badge").wait_for(timeout=15_000)
                await card.locator("textarea[name=text]").fill("Hi, Sam here: yes, we do!")
                await shoot(page, "handoffs")
                await card.get_by_role("button", name="Send").click()
                await page.wait_for_url(f"{url}/admin/handoffs?done=sent")
                texted = await bot.fake.wait_for_messages(3)
                assert texted[-1]["Body"] == "Hi, Sam here: yes, we do!"
                assert texted[-1]["To"] == CUSTOMER

                await (
                    page.locator(f"#handoff-{conversation}")
                    .get_by_role("button", name="Resolve")
                    .click()
                )
                await page.wait_for_url(f"{url}/admin/handoffs?done=resolved")
                assert not await bot.runtime.orchestrator.handoffs.store.active()

                # The customer's history, with the team's reply and its author.
                await page.click("text=Conversations")
                await page.wait_for_url(f"{url}/admin/conversations")
                await shoot(page, "conversations")
                await page.click(f"table.list a:has-text('{CUSTOMER}')")
                assert "team: Sam Chef (via console)" in await page.inner_text("main")
                await shoot(page, "contact")

                # A compare: answers side by side; vote the second one best.
                await page.goto(f"{url}/admin/compares")
                await shoot(page, "compares")
                await page.click(f"a[href='/admin/compares/{compare_id}']")
                answer = page.locator("article.answer[data-position='2']")
                await answer.get_by_role("button", name="Best answer").click()
                await page.wait_for_url(f"{url}/admin/compares/{compare_id}?done=voted")
                assert (
                    "Best: 1"
                    in await page.locator("article.answer[data-position='2']").inner_text()
                )
                await shoot(page, "compare")
                stats = {s.model_id: s.wins for s in await bot.runtime.compare.stats()}
                assert stats["function:tests.support.compare_models:steady"] == 1

                # The month's costs: the chart and its budget line.
                await page.click("text=Costs")
                await page.wait_for_url(f"{url}/admin/costs")
                assert await page.locator("svg.chart rect").count() >= 1
                # The monthly budget's line; the daily pace is drawn or, far above the spend,
                # written at the top of the daily chart.
                assert await page.locator("svg.chart line.budget").count() >= 1
                assert "budget pace" in await page.inner_text("main")
                await shoot(page, "costs")
            finally:
                await context.close()
    finally:
        await database.dispose()
