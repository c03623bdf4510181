"""Bad input to the team console over real HTTP (SQLite and PostgreSQL): every request a
careless or hostile client may send is a 4xx page, never a 500 nor a traceback in the log."""

from __future__ import annotations

from memory.db import Database
from tests.support.admin_console import log_in, record_compare, running_console

#: Requests a careless or hostile client may send: each a 4xx (or a page), never a 500.
GARBAGE = [
    ("GET", "/admin/contacts/99999999999999999999999", None),
    ("GET", "/admin/contacts/0", None),
    ("GET", "/admin/contacts/424242", None),
    ("GET", "/admin/compares/abc", None),
    ("GET", "/admin/compares/77777", None),
    ("GET", "/admin/compares?before=-1", None),
    ("GET", "/admin/costs?month=2026-13", None),
    ("GET", "/admin/costs?month=9999-12", None),
    ("GET", "/admin/costs?month=%00", None),
    ("GET", "/admin/login?next=%0d%0aSet-Cookie:x=1", None),
    ("POST", "/admin/compares/1/vote", {"position": "²", "kind": "best"}),
    ("POST", "/admin/compares/1/vote", {"position": "9", "kind": "best"}),
    ("POST", "/admin/compares/1/vote", {"position": "1", "kind": "<script>"}),
    ("POST", "/admin/handoffs/5/reply", {"text": ""}),
    ("POST", "/admin/handoffs/5/reply", {"text": "x" * 5000}),
    ("POST", "/admin/handoffs/424242/reply", {"text": "hello\x00there"}),
    ("POST", "/admin/handoffs/424242/resolve", {}),
    ("POST", "/admin/handoffs/99999999999999999999/resolve", {}),
]


async def test_garbage_never_gives_a_500(database: Database, caplog):
    async with running_console(database) as bot:
        await record_compare(bot)
        csrf = await log_in(bot.http)
        for method, path, data in GARBAGE:
            if method == "GET":
                answer = await bot.http.get(path)
            else:
                answer = await bot.http.post(path, data={"csrf": csrf, **(data or {})})
            assert answer.status_code < 500, (method, path, answer.status_code)
            if answer.status_code != 303:  # pages, errors included, are HTML for a person
                assert "<html" in answer.text, (method, path, answer.text[:200])
        assert "Traceback" not in caplog.text


async def test_bodies_that_are_not_forms_are_refused(database: Database, caplog):
    async with running_console(database) as bot:
        await log_in(bot.http)
        for body, kind in (
            (b"\xff\xfe=\xff", "application/x-www-form-urlencoded"),
            (b'{"csrf": "x"}', "application/json"),
            (b"a=" + b"x" * 70_000, "application/x-www-form-urlencoded"),
            (b"&".join(b"f%d=1" % i for i in range(50)), "application/x-www-form-urlencoded"),
        ):
            answer = await bot.http.post(
                "/admin/handoffs/1/resolve", content=body, headers={"content-type": kind}
            )
            assert answer.status_code in (400, 413), (body[:20], answer.status_code)
        assert "Traceback" not in caplog.text
