"""The web chat's pieces without a server: visitor tokens, origins, sentences, the
stream's token kept out of the access log, and the channel's send with and without
sentences streamed before it (the orchestrator's ``on_sentence`` hook)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.web.access_log import TokenRedaction
from channels.base import Card, CardField, OutgoingMessage
from channels.web.outbound import WebChannel, sentences
from channels.web.verify import VisitorTokens, bearer_token, origin_allowed, redact_token

SECRET = "unit-test-secret-0123456789abcdef"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_token_names_its_visitor_until_it_expires():
    clock = Clock()
    tokens = VisitorTokens(SECRET, max_age_s=3600, clock=clock)
    token, visitor = tokens.issue()
    assert tokens.visitor(token) == visitor and len(visitor) == 22
    assert tokens.issue()[1] != visitor
    clock.now += 3600
    assert tokens.visitor(token) == visitor
    clock.now += 1
    assert tokens.visitor(token) is None
    renewed, same = tokens.issue(visitor)  # a renewed token: the same visitor, valid from now
    assert same == visitor and tokens.visitor(renewed) == visitor


def test_a_changed_forged_or_foreign_token_names_no_one():
    tokens = VisitorTokens(SECRET, max_age_s=3600)
    token, visitor = tokens.issue()
    _, issued, signature = token.split(".")
    other_visitor = ("B" if visitor[0] != "B" else "C") + visitor[1:]
    foreign, _ = VisitorTokens("another-secret-0123456789abcdef!", max_age_s=3600).issue()
    for bad in (
        f"{other_visitor}.{issued}.{signature}",  # someone else's id under my signature
        f"{visitor}.{issued}0.{signature}",  # a later expiry
        f"{visitor}.{issued}",
        foreign,
        "",
        None,
        token + ".x",
        "é" * 40,
        "a" * 5000,
    ):
        assert tokens.visitor(bad) is None, bad


def test_bearer_tokens_and_origins():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None and bearer_token("Bearer ") is None
    allowed = frozenset({"https://shop.example.com"})
    assert origin_allowed("https://shop.example.com", host="bot:8000", allowed=allowed)
    assert origin_allowed("https://shop.example.com/", host="bot:8000", allowed=allowed)
    assert origin_allowed("http://bot:8000", host="bot:8000", allowed=allowed)  # its own page
    assert not origin_allowed("https://evil.example", host="bot:8000", allowed=allowed)
    assert not origin_allowed("https://shop.example.com.evil", host="bot", allowed=allowed)
    assert not origin_allowed("null", host="bot", allowed=allowed)
    assert not origin_allowed(None, host="bot", allowed=allowed)


def test_replies_are_cut_into_sentences():
    assert sentences("We open at nine. The kitchen closes at ten! Anything else?") == [
        "We open at nine.",
        "The kitchen closes at ten!",
        "Anything else?",
    ]
    assert sentences('He said "come at 9." Then left.\n\nNew line') == [
        'He said "come at 9."',
        "Then left.",
        "New line",
    ]
    assert sentences("Prices are $1,200.50 per party") == ["Prices are $1,200.50 per party"]
    assert sentences("  ") == []


def test_the_stream_token_is_hidden_in_access_log_lines():
    path = "/web/v1/stream?token=abc.def.ghi&after=3"
    assert redact_token(path) == "/web/v1/stream?token=[REDACTED]&after=3"
    assert (
        redact_token("/web/v1/stream?after=1&token=x") == "/web/v1/stream?after=1&token=[REDACTED]"
    )
    # uvicorn's access record: (client, method, path with query, http version, status)
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert TokenRedaction().filter(record)
    assert "abc.def.ghi" not in record.getMessage()
    assert "token=[REDACTED]" in record.getMessage()


class MemoryEvents:
    """An event log in a list (the real one is `memory.web_events`)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, dict[str, Any]]] = []

    async def publish(
        self, conversation_key: str, events: Sequence[tuple[str, str, dict[str, Any]]]
    ) -> list[int]:
        start = len(self.rows)
        self.rows += [(conversation_key, kind, text, meta) for kind, text, meta in events]
        return list(range(start + 1, len(self.rows) + 1))

    async def after(self, conversation_key: str, after_id: int, *, limit: int) -> list[Any]:
        return []

    async def wait(self, conversation_key: str) -> None:
        return None


async def test_a_send_writes_one_event_per_sentence_the_last_marked():
    events = MemoryEvents()
    channel = WebChannel(events)
    sent_id = await channel.send("web:v", OutgoingMessage("One. Two."))
    assert sent_id == "web-1"
    assert [(t, m) for _k, _kind, t, m in events.rows] == [("One.", {}), ("Two.", {"last": True})]
    card = Card("Your booking", fields=(CardField("Guests", "12"),))
    await channel.send("web:v", OutgoingMessage("Here it is.", card=card))
    assert [t for _k, _kind, t, _m in events.rows[2:]] == [
        "Here it is.",
        "Your booking",
        "Guests: 12",
    ]


async def test_sentences_streamed_as_checked_are_not_sent_again():
    events = MemoryEvents()
    channel = WebChannel(events)
    await channel.stream_sentence("web:v", "One.")
    await channel.stream_sentence("web:v", "Two.")
    await channel.send("web:v", OutgoingMessage("One. Two. Three."))
    assert [(t, m) for _k, _kind, t, m in events.rows] == [
        ("One.", {}),
        ("Two.", {}),
        ("Three.", {"last": True}),
    ]
    await channel.stream_sentence("web:v", "Only.")
    await channel.send("web:v", OutgoingMessage("Only."))
    assert events.rows[-1][2:] == ("", {"last": True})  # just the end of the reply
