"""The tutor-pair log on SQLite and PostgreSQL, and the hybrid's bands through the orchestrator."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import select

from agents.providers.base import ChatMessage, Completion
from agents.providers.confidence import RATING_SYSTEM
from agents.providers.function import FunctionProvider
from agents.providers.hybrid import HybridProvider
from agents.providers.tutor_pairs import TutorPair
from bot.cli.export import pair_record
from bot.handoff.ops_channel import OpsChannel
from bot.orchestrator import HANDOFF_MESSAGE
from bot.runtime import Runtime
from bot.settings import Settings
from channels.base import Address, IncomingMessage
from channels.testing import RecordingChannel
from memory.db import Database
from memory.models import Conversation, ModelCall
from memory.tutor_pairs import TutorPairStore

TEACHER_TEXT = "Yes, all our menus have a vegan option."
PROMPT = (ChatMessage("system", "You cater."), ChatMessage("user", "Do you do vegan menus?"))


def pair(decision: str, teacher_text: str | None, confidence: float = 0.5) -> TutorPair:
    return TutorPair(
        prompt=PROMPT,
        student_model="local:smollm2",
        student_text="Maybe.",
        confidence=confidence,
        method="logprobs",
        decision=decision,
        teacher_model="groq:llama-3.3-70b-versatile" if teacher_text else None,
        teacher_text=teacher_text,
    )


async def test_pairs_are_stored_and_read_back_for_export(database: Database):
    store = TutorPairStore(database)
    await store.record(pair("student", None, confidence=0.9))
    taught = await store.record(pair("teacher", "Yes, every menu has a vegan version."))
    await store.record(pair("handoff", None, confidence=0.1))

    default = await store.pairs()
    everything = await store.pairs(with_teacher=False)
    handoffs = await store.pairs(decisions=["handoff"], with_teacher=False)

    assert [p.id for p in default] == [taught]
    assert [p.decision for p in everything] == ["student", "teacher", "handoff"]
    assert [p.confidence for p in handoffs] == [0.1]
    line = pair_record(default[0])
    assert line["messages"] == [
        {"role": "system", "content": "You cater."},
        {"role": "user", "content": "Do you do vegan menus?"},
        {"role": "assistant", "content": "Yes, every menu has a vegan version."},
    ]
    meta = line["metadata"]
    assert meta["student_answer"] == "Maybe." and meta["target"] == "teacher"
    assert (meta["confidence"], meta["method"], meta["decision"]) == (0.5, "logprobs", "teacher")
    assert meta["student_model"] == "local:smollm2"
    assert meta["teacher_model"] == "groq:llama-3.3-70b-versatile"
    assert meta["created_at"].endswith("+00:00")


async def test_reading_pairs_in_batches_misses_none(database: Database):
    store = TutorPairStore(database)
    for i in range(7):
        await store.record(pair("teacher", f"answer {i}"))

    read = [p.teacher_text async for p in store.iter_pairs(batch_size=3)]

    assert read == [f"answer {i}" for i in range(7)]


def student_answering(confidence: float | None, rating: str = "") -> FunctionProvider:
    """A student with a set confidence; with None, it rates itself with ``rating``."""

    def answer(messages: Sequence[ChatMessage]) -> Completion | str:
        if messages[0].content == RATING_SYSTEM:
            return rating
        return Completion(
            text="Perhaps, I am not sure.",
            model="student",
            provider="function",
            input_tokens=20,
            output_tokens=5,
            confidence=confidence,
        )

    return FunctionProvider(answer, model="student")


async def hybrid_runtime(settings: Settings, database: Database, student: FunctionProvider):
    teacher = FunctionProvider(
        lambda _m: "Yes, all our menus have a vegan option.", model="teacher"
    )
    provider = HybridProvider(student, teacher, pair_log=TutorPairStore(database))
    channel = RecordingChannel("sms")
    runtime = await Runtime.start(
        settings, provider=provider, channels={"sms": channel}, db=database
    )
    return runtime, channel


def sms(text: str) -> IncomingMessage:
    phone = "+15557654321"
    return IncomingMessage(
        channel="sms", sender=Address("phone", phone), conversation_key=f"sms:{phone}", text=text
    )


async def test_an_unsure_student_hands_the_conversation_to_a_person(
    settings: Settings, database: Database
):
    runtime, channel = await hybrid_runtime(settings, database, student_answering(None, "2"))
    # The team can see the handoff (SLACK_OPS_CHANNEL): the bot is silenced and says so.
    ops = RecordingChannel("slack")
    runtime.orchestrator.ops = OpsChannel(ops, "C-OPS")
    try:
        reply = await runtime.orchestrator.handle(sms("We would love a wedding party on a boat."))
    finally:
        await runtime.providers.aclose()

    assert reply is not None and reply.text == HANDOFF_MESSAGE
    assert channel.texts == [HANDOFF_MESSAGE]
    async with database.sessions() as session:
        conversation = await session.get(Conversation, reply.conversation_id)
        calls = (await session.scalars(select(ModelCall).order_by(ModelCall.id))).all()
    assert conversation.handed_off_at is not None
    assert len(ops.sent) == 1 and "needs a person" in ops.texts[0]
    assert "unsure" in conversation.handoff_reason and "self_rating" in conversation.handoff_reason
    assert [(c.role, c.model, c.message_id) for c in calls] == [
        ("student", "student", reply.reply_message_id),
        ("self_rating", "student", reply.reply_message_id),
    ]
    [stored] = await TutorPairStore(database).pairs(with_teacher=False)
    assert (stored.decision, stored.method, stored.teacher_text) == ("handoff", "self_rating", None)


@pytest.mark.parametrize(
    ("confidence", "text", "roles"),
    [
        (0.9, "Perhaps, I am not sure.", ["student"]),
        (0.6, TEACHER_TEXT, ["student", "teacher"]),
    ],
)
async def test_the_other_bands_answer_and_are_logged(
    settings: Settings, database: Database, confidence, text, roles
):
    runtime, channel = await hybrid_runtime(settings, database, student_answering(confidence))
    try:
        # Not a yes/no question: the teacher's "Yes, ..." is phrasing here, not a claim.
        reply = await runtime.orchestrator.handle(sms("We would like vegan menus for the party."))
    finally:
        await runtime.providers.aclose()

    assert reply is not None and reply.text == text and channel.texts == [text]
    async with database.sessions() as session:
        conversation = await session.get(Conversation, reply.conversation_id)
        logged = (await session.scalars(select(ModelCall.role).order_by(ModelCall.id))).all()
    assert conversation.handed_off_at is None
    assert logged == roles
