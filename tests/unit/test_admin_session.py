"""The console's session cookie: signed, expiring, and refused when touched."""

from __future__ import annotations

import time

from bot.admin.session import new_session, sign, unsign

TOKEN = "a-console-token-for-unit-tests"


def test_a_session_cookie_reads_back_only_with_the_same_token():
    member, cookie = new_session("Sam", "sam@acme.test", TOKEN)
    payload = unsign(cookie, TOKEN)
    assert payload is not None
    assert (payload["n"], payload["e"], payload["c"]) == ("Sam", "sam@acme.test", member.csrf)
    assert member.member_id == "console:sam@acme.test"
    assert unsign(cookie, TOKEN + "-rotated") is None  # a new token logs everyone out


def test_a_tampered_expired_or_garbled_cookie_is_no_session():
    _member, cookie = new_session("Sam", None, TOKEN)
    body, mac = cookie.split(".")
    forged_body = sign({"n": "Eve", "c": "x", "x": time.time() + 60}, "guessed").split(".")[0]
    for value in (
        f"{forged_body}.{mac}",  # someone else's payload under this signature
        f"{body}.{mac[:-2]}AA",
        f"{body}{mac}",
        "",
        None,
        "....",
        "%%%.%%%",
        "a" * 5000,
        sign({"n": "Sam", "c": "x", "x": time.time() - 1}, TOKEN),  # expired
        sign({"n": "Sam", "c": "x"}, TOKEN),  # no expiry
        sign(["not", "a", "dict"], TOKEN),  # type: ignore[arg-type]
    ):
        assert unsign(value, TOKEN) is None, value
