"""The team console over real HTTP, on SQLite and PostgreSQL: login, CSRF, every page with
data, a handoff answered (the fake Twilio receives it) and resolved, a vote; bad input is in
test_admin_console_input.py.

The bot runs with SMS pointed at the fake Twilio and ``ADMIN_API_TOKEN`` set,
without any Slack ops channel: the console alone is how the team sees handoffs.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.handoff.desk import HANDOFF_MESSAGE
from bot.testing.sms_bot import CUSTOMER
from memory.db import Database
from memory.model_calls import ModelUsage, insert_model_calls
from memory.models import CompareFeedback, Message
from memory.outgoing import insert_outgoing
from tests.support.admin_console import (
    ADMIN_TOKEN,
    ASK_FOR_A_PERSON,
    COMPARE_QUESTION,
    csrf_of,
    hand_off,
    log_in,
    record_compare,
    running_console,
)


async def test_a_wrong_token_is_refused_and_no_session_redirects_to_the_login(
    database: Database,
):
    async with running_console(database) as bot:
        http = bot.http
        page = await http.get("/admin/handoffs")
        assert page.status_code == 303
        assert page.headers["location"] == "/admin/login?next=%2Fadmin%2Fhandoffs"
        form = await http.get("/admin/login")
        assert form.status_code == 200 and 'name="token"' in form.text
        wrong = await http.post(
            "/admin/login",
            data={"csrf": csrf_of(form.text), "name": "Eve", "token": "not-the-token-at-all"},
        )
        assert wrong.status_code == 401 and "Wrong token." in wrong.text
        assert "admin_session" not in wrong.cookies
        assert (await http.get("/admin/conversations")).status_code == 303
        # The live list, polled by htmx, tells htmx to go to the login page.
        polled = await http.get("/admin/handoffs/list", headers={"HX-Request": "true"})
        assert polled.status_code == 303 and polled.headers["hx-redirect"].startswith(
            "/admin/login?next="
        )
        # A forged cookie is no session either.
        http.cookies.set("admin_session", "eyJuIjoiRXZlIn0.AAAA", path="/admin")
        assert (await http.get("/admin/costs")).status_code == 303


async def test_a_guesser_is_stopped_after_ten_wrong_tokens(database: Database):
    async with running_console(database) as bot:
        page = await bot.http.get("/admin/login")
        for n in range(10):
            guess = {"csrf": csrf_of(page.text), "name": "Eve", "token": f"guess-{n}"}
            page = await bot.http.post("/admin/login", data=guess)
            assert page.status_code == 401, n
        # From the same address, even the right token is refused for now: a guesser
        # must not learn which of its tries was right.
        for token in ("guess-10", ADMIN_TOKEN):
            guess = {"csrf": csrf_of(page.text), "name": "Eve", "token": token}
            refused = page = await bot.http.post("/admin/login", data=guess)
            assert refused.status_code == 429 and "Too many wrong tokens" in refused.text
            assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
            assert "admin_session" not in refused.cookies


async def test_login_sets_a_strict_http_only_cookie_and_remembers_who(database: Database):
    async with running_console(database) as bot:
        form = await bot.http.get("/admin/login?next=/admin/compares")
        answer = await bot.http.post(
            "/admin/login",
            data={
                "csrf": csrf_of(form.text),
                "name": "Sam Chef",
                "email": "Sam@Acme.test",
                "token": ADMIN_TOKEN,
                "next": "/admin/compares",
            },
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/compares"
        cookie = next(
            h for h in answer.headers.get_list("set-cookie") if h.startswith("admin_session=")
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
        page = await bot.http.get("/admin/compares")
        assert page.status_code == 200 and "Sam Chef &lt;sam@acme.test&gt;" in page.text
        # A `next` elsewhere is no open redirect.
        form = await bot.http.get("/admin/login")
        away = await bot.http.post(
            "/admin/login",
            data={
                "csrf": csrf_of(form.text),
                "name": "Sam",
                "token": ADMIN_TOKEN,
                "next": "https://evil.test/",
            },
        )
        assert away.headers["location"] == "/admin/handoffs"
        # Logging out ends the session.
        page = await bot.http.get("/admin/handoffs")
        out = await bot.http.post("/admin/logout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/admin/login"
        assert (await bot.http.get("/admin/handoffs")).status_code == 303


async def test_a_post_without_the_csrf_token_or_from_another_site_is_refused(
    database: Database,
):
    async with running_console(database) as bot:
        conversation = await hand_off(bot)
        csrf = await log_in(bot.http)
        reply = f"/admin/handoffs/{conversation}/reply"
        missing = await bot.http.post(reply, data={"text": "Hello from the team"})
        assert missing.status_code == 403
        assert "missing or wrong CSRF token" in missing.text and "<html" in missing.text
        wrong = await bot.http.post(reply, data={"text": "Hello", "csrf": "x" * 32})
        assert wrong.status_code == 403
        elsewhere = await bot.http.post(
            reply,
            data={"text": "Hello", "csrf": csrf},
            headers={"Origin": "https://evil.test"},
        )
        assert elsewhere.status_code == 403
        # The login form is protected too: no CSRF cookie, no login.
        bot.http.cookies.clear()
        forged = await bot.http.post(
            "/admin/login", data={"csrf": "guess", "name": "Eve", "token": ADMIN_TOKEN}
        )
        assert forged.status_code == 403 and "admin_session" not in forged.cookies
        assert len(bot.fake.messages) == 2  # the first answer and the handoff notice only
        assert await bot.runtime.orchestrator.handoffs.store.active()


async def test_a_reply_reaches_the_customer_by_sms_with_its_author_and_resolve_closes_it(
    database: Database,
):
    async with running_console(database) as bot:
        conversation = await hand_off(bot)
        assert bot.fake.messages[-1]["Body"] == HANDOFF_MESSAGE
        csrf = await log_in(bot.http)
        page = await bot.http.get("/admin/handoffs")
        assert page.status_code == 200
        assert ASK_FOR_A_PERSON in page.text
        assert f"/admin/handoffs/{conversation}/reply" in page.text
        badge = await bot.http.get("/admin/handoffs/count")
        assert ">1<" in badge.text

        sent = await bot.http.post(
            f"/admin/handoffs/{conversation}/reply",
            data={"csrf": csrf, "text": "Hi, this is Sam: yes, we cater weddings."},
            headers={"Origin": str(bot.http.base_url).rstrip("/")},
        )
        assert sent.status_code == 303 and sent.headers["location"].endswith("done=sent")
        texted = await bot.fake.wait_for_messages(3)
        assert texted[-1]["Body"] == "Hi, this is Sam: yes, we cater weddings."
        assert texted[-1]["To"] == CUSTOMER
        async with database.sessions() as session:
            stored = (
                await session.scalars(select(Message).order_by(Message.id.desc()).limit(1))
            ).one()
        assert stored.direction == "out" and stored.agent is None
        assert stored.meta == {
            "by": "team",
            "author": "Sam Chef",
            "author_id": "console:sam@acme.test",
            "via": "console",
        }
        history = await bot.http.get(f"/admin/contacts/{stored.contact_id}")
        assert "team: Sam Chef (via console)" in history.text

        # While handed off the bot stays silent: the customer's next text waits for a person.
        await bot.text("Great, how much for 80 guests?")
        await bot.settle()
        assert len(bot.fake.messages) == 3

        resolved = await bot.http.post(
            f"/admin/handoffs/{conversation}/resolve", data={"csrf": csrf}
        )
        assert resolved.status_code == 303 and resolved.headers["location"].endswith(
            "done=resolved"
        )
        assert not await bot.runtime.orchestrator.handoffs.store.active()
        after = await bot.http.get("/admin/handoffs?done=resolved")
        assert "No customer is waiting for a person." in after.text
        # Resolved: a reply now is refused, and the bot answers again.
        late = await bot.http.post(
            f"/admin/handoffs/{conversation}/reply", data={"csrf": csrf, "text": "late"}
        )
        assert late.status_code == 409
        await bot.text("Thanks!")
        await bot.settle()
        assert (await bot.fake.wait_for_messages(4))[-1]["Body"] == "You said: Thanks!"


async def grounded_reply(database: Database, conversation_id: int, contact_id: int) -> None:
    """A knowledge reply as the orchestrator stores one: citations, a grounding note, a cost."""
    meta = {
        "model": "openai:gpt-4o-mini",
        "citations": [{"chunk_id": 3, "source": "faq.md", "heading": "Menus", "score": 0.82}],
        "grounding": {"replaced": "It costs $99 a head.", "reasons": ["amount $99 not found"]},
    }
    usage = ModelUsage("openai", "gpt-4o-mini", 900, 40, 0.000159, 420.0)
    async with database.transaction() as session:
        reply_id = await insert_outgoing(
            session,
            conversation_id=conversation_id,
            contact_id=contact_id,
            channel="sms",
            text="Our menus are in the FAQ.",
            agent="knowledge",
            meta=meta,
            sent_id="SMfake",
        )
        await insert_model_calls(
            session, [usage], agent="knowledge", contact_id=contact_id, message_id=reply_id
        )


async def test_every_page_renders_with_data(database: Database):
    async with running_console(database) as bot:
        conversation = await hand_off(bot)
        handed = await bot.runtime.orchestrator.handoffs.store.get(conversation)
        assert handed is not None
        await grounded_reply(database, conversation, handed.contact_id)
        compare_id = await record_compare(bot)
        await log_in(bot.http)
        conversations = await bot.http.get("/admin/conversations")
        assert conversations.status_code == 200
        assert "with the team" in conversations.text and "sms" in conversations.text
        contact_id = (await bot.runtime.orchestrator.handoffs.store.active())[0].contact_id
        contact = await bot.http.get(f"/admin/contacts/{contact_id}")
        assert contact.status_code == 200
        assert "Do you cater weddings?" in contact.text
        assert "scripted" in contact.text  # the model of each bot reply
        assert f"phone:{CUSTOMER}" in contact.text
        # Each bot reply's agent, model, cost, citations and grounding notes.
        for shown in (
            "knowledge",
            "openai:gpt-4o-mini",
            "$0.000159",
            "faq.md › Menus",
            "amount $99 not found",
            "Model wrote: It costs $99 a head.",
        ):
            assert shown in contact.text, shown
        compares = await bot.http.get("/admin/compares")
        assert compares.status_code == 200 and COMPARE_QUESTION in compares.text
        one = await bot.http.get(f"/admin/compares/{compare_id}")
        assert one.status_code == 200
        for name in ("quick", "steady", "slow"):
            assert f"tests.support.compare_models:{name}" in one.text
        assert "Judge:" in one.text and "score" in one.text
        costs = await bot.http.get("/admin/costs")
        assert costs.status_code == 200
        assert "<svg" in costs.text and "function:tests.support.compare_models:quick" in costs.text
        assert 'class="budget"' in costs.text  # the budget line
        assert "New contacts in" in costs.text
        older = await bot.http.get("/admin/costs?month=2026-01")
        assert older.status_code == 200 and "No spend this month." in older.text


async def test_a_vote_is_recorded_with_the_team_member(database: Database):
    async with running_console(database) as bot:
        compare_id = await record_compare(bot)
        csrf = await log_in(bot.http, name="Ana", email="ana@acme.test")
        voted = await bot.http.post(
            f"/admin/compares/{compare_id}/vote",
            data={"csrf": csrf, "position": "2", "kind": "best"},
        )
        assert voted.status_code == 303
        page = await bot.http.get(voted.headers["location"])
        assert "Your vote is recorded." in page.text and "Best: 1" in page.text
        async with database.sessions() as session:
            votes = (await session.scalars(select(CompareFeedback))).all()
        assert [(v.voter, v.kind) for v in votes] == [("console:ana@acme.test", "best")]
        stats = await bot.runtime.compare.stats()
        assert {s.model_id: s.wins for s in stats}[
            "function:tests.support.compare_models:steady"
        ] == 1


async def test_the_console_is_off_without_a_token(database: Database):
    async with running_console(database, admin_api_token=None) as bot:
        login = await bot.http.get("/admin/login")
        assert login.status_code == 403 and "ADMIN_API_TOKEN" in login.text
        assert (await bot.http.get("/admin/handoffs")).status_code == 403
        refused = await bot.http.post("/admin/login", data={"token": "", "name": "x"})
        assert refused.status_code == 403
        # And without the console or Slack, a customer who asks for a person is told the
        # truth and the bot keeps answering (bot/handoff/desk.py).
        await bot.text(ASK_FOR_A_PERSON)
        await bot.settle()
        assert "can't bring a member of our team" in bot.fake.messages[-1]["Body"]
        assert not await bot.runtime.orchestrator.handoffs.store.active()
