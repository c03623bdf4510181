"""The web chat over real HTTP (SQLite and PostgreSQL): a visitor's token, their messages
stored through the inbox, the reply streamed as Server-Sent Events sentence by sentence,
a stream resumed after ``Last-Event-ID``, and what is refused: a bad token (401), another
site (403), too many requests (429), and garbage (never a 500)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from memory.db import Database
from memory.models import Message
from tests.support.web_bot import ORIGIN, WebBot, running_web_bot


@pytest.fixture
async def bot(database: Database) -> AsyncIterator[WebBot]:
    async with running_web_bot(database) as running:
        yield running


async def incoming_count(database: Database) -> int:
    async with database.sessions() as session:
        return await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.channel == "web", Message.direction == "in")
        )


async def test_a_message_is_stored_then_its_reply_streams_sentence_by_sentence(
    bot: WebBot, database: Database
):
    bot.sms.model.replies["When do you open?"] = (
        "We open at nine. The kitchen closes at ten! Is there anything else?"
    )
    token = await bot.session()
    sent = await bot.send(token, "When do you open?", message_id="m-1")
    assert sent.status_code == 202
    assert sent.json() == {"id": "m-1", "duplicate": False}
    assert await incoming_count(database) == 1  # stored before the 202

    events = await bot.reply(token)
    # Each checked sentence as it passed; then the end of the reply (a last event, empty
    # when every sentence was already streamed).
    assert [(e.kind, e.text) for e in events if e.text] == [
        ("visitor", "When do you open?"),
        ("sentence", "We open at nine."),
        ("sentence", "The kitchen closes at ten!"),
        ("sentence", "Is there anything else?"),
    ]
    assert events[0].data["id"] == "m-1"
    assert [bool(e.data.get("last")) for e in events] == [False] * (len(events) - 1) + [True]
    assert [e.id for e in events] == sorted(e.id for e in events)

    # The widget retrying the same message: stored once, answered once.
    again = await bot.send(token, "When do you open?", message_id="m-1")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    await bot.sms.settle()
    assert await incoming_count(database) == 1
    assert len(await bot.read_events(token, 4)) == 4  # nothing more was written


async def test_a_session_with_a_valid_token_renews_it_for_the_same_visitor(bot: WebBot):
    token = await bot.session()
    renewed = await bot.http.post(
        "/web/v1/session", headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"}
    )
    assert renewed.status_code == 200
    assert renewed.json()["token"].split(".")[0] == token.split(".")[0]
    fresh = await bot.http.post(
        "/web/v1/session", headers={"Origin": ORIGIN, "Authorization": "Bearer forged.1.x"}
    )
    assert fresh.status_code == 201
    assert fresh.json()["token"].split(".")[0] != token.split(".")[0]


async def test_a_reconnecting_stream_resumes_after_the_last_event_id(bot: WebBot):
    bot.sms.model.replies["When do you open?"] = "First part. Second part. Third part."
    token = await bot.session()
    assert (await bot.send(token, "When do you open?")).status_code == 202
    first = await bot.reply(token)
    seen = first[1]  # the connection broke after the first sentence

    resumed = await bot.read_events(token, 2, last_event_id=seen.id)
    assert [e.text for e in resumed] == ["Second part.", "Third part."]
    # Last-Event-ID (what EventSource sends on reconnect) wins over the page's `after`.
    resumed = await bot.read_events(token, 1, after=0, last_event_id=resumed[0].id)
    assert resumed[0].text == "Third part."


async def test_one_visitor_never_sees_another_s_stream(bot: WebBot):
    alice, bob = await bot.session(), await bot.session()
    assert alice != bob
    bot.sms.model.replies["When do you open, Alice asks?"] = "At nine, Alice."
    assert (await bot.send(alice, "When do you open, Alice asks?")).status_code == 202
    await bot.reply(alice)
    assert (await bot.send(bob, "When do you open?")).status_code == 202
    events = await bot.reply(bob)
    assert "Alice" not in " ".join(e.text for e in events)


async def test_a_missing_forged_or_foreign_token_is_401(bot: WebBot):
    token = await bot.session()
    visitor, issued, signature = token.split(".")
    forged = f"{visitor}.{issued}.{'A' * len(signature)}"
    other_secret = "x" * 40
    from channels.web.verify import VisitorTokens

    foreign, _ = VisitorTokens(other_secret, max_age_s=60).issue()
    for bad in (None, forged, foreign, "not-a-token", token + "x", "é" * 10):
        headers: dict[str, str | bytes] = {"Origin": ORIGIN}
        if bad is not None:  # as bytes: a browser may send any byte in a header
            headers["Authorization"] = f"Bearer {bad}".encode()
        answer = await bot.http.post("/web/v1/messages", json={"text": "hi"}, headers=headers)
        assert answer.status_code == 401, bad
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.json()["error"]
        stream = await bot.http.get("/web/v1/stream", params={"token": bad or ""})
        assert stream.status_code == 401


async def test_another_site_is_refused_and_cors_names_only_allowed_origins(
    bot: WebBot, database: Database
):
    token = await bot.session()
    evil = "https://evil.example.test"
    for headers in ({"Origin": evil}, {}, {"Origin": "null"}):
        answer = await bot.http.post(
            "/web/v1/messages",
            json={"text": "hi"},
            headers={**headers, "Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 403, headers
        assert "access-control-allow-origin" not in answer.headers
        assert (await bot.http.post("/web/v1/session", headers=headers)).status_code == 403
    assert await incoming_count(database) == 0
    refused = await bot.http.get(
        "/web/v1/stream", params={"token": token}, headers={"Origin": evil}
    )
    assert refused.status_code == 403

    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = await bot.http.options("/web/v1/messages", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "Authorization" in allowed.headers["access-control-allow-headers"]
    denied = await bot.http.options("/web/v1/messages", headers={"Origin": evil, **preflight})
    assert denied.status_code == 403

    # The bot's own demo page (same host) needs no listing.
    own = str(bot.http.base_url).rstrip("/")
    assert (await bot.http.post("/web/v1/session", headers={"Origin": own})).status_code == 201


async def test_past_the_per_token_limit_messages_get_429(database: Database):
    async with running_web_bot(database, web_chat_token_limit=2) as bot:
        token = await bot.session()
        statuses = [(await bot.send(token, f"message {n}")).status_code for n in range(3)]
        assert statuses == [202, 202, 429]
        refused = await bot.send(token, "one more")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["access-control-allow-origin"] == ORIGIN
        assert await incoming_count(database) == 2
        # Another visitor has their own allowance.
        assert (await bot.send(await bot.session(), "hello")).status_code == 202


async def test_past_the_per_address_limit_every_request_gets_429(database: Database):
    async with running_web_bot(database, web_chat_address_limit=3) as bot:
        tokens = [await bot.session() for _ in range(2)]
        assert (await bot.send(tokens[0], "hello")).status_code == 202
        # New tokens do not escape it: the address is counted, whatever the token.
        session = await bot.http.post("/web/v1/session", headers={"Origin": ORIGIN})
        assert session.status_code == 429
        assert (await bot.send(tokens[1], "hello")).status_code == 429


async def test_limits_are_counted_in_the_database_for_every_process(database: Database):
    # Two servers on one database (two processes' worth of state): one allowance between them.
    async with (
        running_web_bot(database, web_chat_token_limit=2) as first,
        running_web_bot(database, web_chat_token_limit=2) as second,
    ):
        token = await first.session()
        assert (await first.send(token, "one")).status_code == 202
        assert (await second.send(token, "two")).status_code == 202
        assert (await first.send(token, "three")).status_code == 429
        assert (await second.send(token, "four")).status_code == 429


async def test_garbage_never_gets_a_500(bot: WebBot, caplog: pytest.LogCaptureFixture):
    token = await bot.session()
    auth = {"Origin": ORIGIN, "Authorization": f"Bearer {token}"}
    bodies: list[bytes] = [
        b"",
        b"not json",
        b"[1, 2]",
        b"null",
        b'{"text": 5}',
        b'{"text": ""}',
        b'{"text": "   "}',
        b'{"text": "hi", "id": "has space"}',
        b'{"text": "hi", "id": 7}',
        b'{"text": "' + b"a" * 5000 + b'"}',
        b"\xff\xfe\x00",
        b'{"text": "nul \\u0000 and \\ud800 lone"}',
        b"{" * 20_000,
    ]
    for body in bodies:
        for path in ("/web/v1/messages", "/web/v1/verify", "/web/v1/verify/confirm"):
            answer = await bot.http.post(path, content=body, headers=auth)
            assert answer.status_code < 500, (path, body[:40], answer.text)
    odd_headers = [
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer " + "a" * 5000},
    ]
    for headers in odd_headers:
        answer = await bot.http.post(
            "/web/v1/messages", json={"text": "hi"}, headers={"Origin": ORIGIN, **headers}
        )
        assert answer.status_code == 401
    for params, headers in (
        ({"token": token, "after": "-1"}, {}),
        ({"token": token, "after": "abc"}, {}),
        ({"token": token}, {"Last-Event-ID": "9" * 40}),
        ({"token": token * 3}, {}),
    ):
        answer = await bot.http.get("/web/v1/stream", params=params, headers=headers)
        assert answer.status_code in (400, 401), params
    assert "Traceback" not in caplog.text


async def test_each_checked_sentence_streams_while_the_model_is_still_writing(bot: WebBot):
    # A sentence is known to be complete once the next one has begun, as with tokens.
    bot.sms.model.pieces["Tell me about you"] = [
        "We are a family business. We",
        " cook at your place.",
    ]
    token = await bot.session()
    bot.sms.model.gate.clear()  # the model holds its second piece until the test says so
    sent = await bot.send(token, "Tell me about you", message_id="m-stream")
    assert sent.status_code == 202

    # Hold the model after its first piece: only a streamed sentence can be read now.
    first = await asyncio.wait_for(
        bot.read_events(token, until=lambda e: e.kind == "sentence"), timeout=20
    )
    bot.sms.model.gate.set()
    rest = await bot.reply(token, after=first[-1].id)

    assert [e.text for e in first if e.kind == "sentence"] == ["We are a family business."]
    shown = [e.text for e in [*first, *rest] if e.kind == "sentence" and e.text]
    assert shown == ["We are a family business.", "We cook at your place."]  # each once
