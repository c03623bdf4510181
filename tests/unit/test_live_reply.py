"""`LiveReply`: a message shown at once and edited as results arrive, edits coalesced."""

from __future__ import annotations

import asyncio

from bot.commands.live import LiveReply
from channels.base import Address, IncomingMessage, OutgoingMessage
from channels.testing import RecordingChannel


def command(channel: str = "telegram") -> IncomingMessage:
    return IncomingMessage(
        channel=channel, sender=Address(channel, "7"), conversation_key="7", text="/compare q"
    )


class SlowEdits(RecordingChannel):
    """Edits take a while, as a real API call does; the first one waits to be let go."""

    def __init__(self) -> None:
        super().__init__("telegram", max_text_length=20)
        self.release = asyncio.Event()
        self.two_edits = asyncio.Event()

    async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage) -> str:
        await self.release.wait()
        sent_id = await super().update(conversation_key, sent_id, message)
        if len(self.sent) == 3:  # the first message and two edits
            self.two_edits.set()
        return sent_id


async def test_updates_during_a_slow_edit_collapse_into_the_latest():
    channel = SlowEdits()
    live = LiveReply(command(), channel)
    await live.show(OutgoingMessage("waiting"))

    await live.update(OutgoingMessage("1 of 3"))  # returns at once
    await asyncio.sleep(0)  # the edit is now on its way, held by the channel
    await live.update(OutgoingMessage("2 of 3"))
    await live.update(OutgoingMessage("3 of 3"))
    channel.release.set()
    await asyncio.wait_for(channel.two_edits.wait(), 5)
    stored: list[tuple[str, list[str]]] = []

    async def keep(text: str, sent: list[str]) -> None:
        stored.append((text, sent))

    live.on_finish = keep
    await live.finish(OutgoingMessage("ranked"))

    # "2 of 3" was overtaken while "1 of 3" was on its way: never sent.
    assert channel.texts == ["waiting", "1 of 3", "3 of 3", "ranked"]
    assert all(s.updated for s in channel.sent[1:])
    assert stored == [("ranked", ["telegram-1"])]


async def test_the_final_message_supersedes_edits_not_yet_sent():
    channel = SlowEdits()
    channel.release.set()
    live = LiveReply(command(), channel)
    await live.show(OutgoingMessage("waiting"))

    await live.update(OutgoingMessage("1 of 3"))
    await live.finish(OutgoingMessage("ranked"))

    assert channel.texts == ["waiting", "ranked"]


async def test_a_live_message_is_shortened_to_one_message():
    channel = RecordingChannel("telegram", max_text_length=20)
    live = LiveReply(command(), channel)

    await live.show(OutgoingMessage("x" * 50))

    (sent,) = channel.texts
    assert len(sent) <= 20


async def test_without_a_channel_only_the_final_text_is_kept():
    live = LiveReply(command("api"), None)
    stored: list[tuple[str, list[str]]] = []

    async def keep(text: str, sent: list[str]) -> None:
        stored.append((text, sent))

    live.on_finish = keep
    await live.show(OutgoingMessage("waiting"))
    await live.update(OutgoingMessage("1 of 3"))
    assert await live.finish(OutgoingMessage("done")) == []
    assert stored == [("done", [])]


async def test_a_failed_first_message_is_sent_with_the_final_one():
    class DownAtFirst(RecordingChannel):
        down = True

        async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
            if self.down:
                raise ConnectionError("telegram unreachable")
            return await super().send(conversation_key, message)

    channel = DownAtFirst("telegram")
    live = LiveReply(command(), channel)
    await live.show(OutgoingMessage("waiting"))
    channel.down = False

    assert await live.finish(OutgoingMessage("done")) == ["telegram-1"]
    assert channel.texts == ["done"]


async def test_a_private_live_message_answers_the_command():
    class Answers(RecordingChannel):
        async def reply(self, incoming: IncomingMessage, message: OutgoingMessage) -> str:
            return f"reply-{await super().reply(incoming, message)}"

    channel = Answers("slack")
    live = LiveReply(command("slack"), channel)

    await live.show(OutgoingMessage("only you", private=True))

    assert live.sent_id == "reply-slack-1"


async def test_a_refused_final_edit_is_sent_as_a_new_message():
    class RefusesEdits(RecordingChannel):
        async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage):
            raise ConnectionError("used_url: the response_url took its five answers")

    channel = RefusesEdits("slack")
    live = LiveReply(command("slack"), channel)
    await live.show(OutgoingMessage("waiting"))

    assert await live.finish(OutgoingMessage("ranked")) == ["slack-2"]
    assert channel.texts == ["waiting", "ranked"]
