"""OpenTelemetry traces: one SMS gives one trace, from the webhook's deliver to the send.

The SDK's in-memory exporter collects the spans; on PostgreSQL the answer runs
as a procrastinate job, which finds the trace's context stored with the message.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from bot.observability import tracing
from channels.sms.testing import inbound_form
from memory.db import Database
from memory.models import Message
from tests.support.all_channels import AllChannels, running_all_channels

PHONE = "+15551230001"
TEXT = "what are your opening hours"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.shutdown()
    assert tracing.configure(environ={}, exporter=exporter)
    yield exporter
    tracing.shutdown()


async def sms(bot: AllChannels, text: str, *, sender: str) -> None:
    form = inbound_form(text, sender=sender)
    headers = bot.signer.headers("/sms/inbound", form)
    headers["content-type"] = "application/x-www-form-urlencoded"
    answer = await bot.http.post("/sms/inbound", content=urlencode(form), headers=headers)
    assert answer.status_code == 200, answer.text


def by_name(finished: tuple[ReadableSpan, ...]) -> dict[str, ReadableSpan]:
    return {span.name: span for span in finished}


async def test_one_sms_is_one_trace_from_deliver_to_send(
    database: Database, spans: InMemorySpanExporter
) -> None:
    async with running_all_channels(database) as bot:
        await sms(bot, TEXT, sender=PHONE)
        await bot.settle()
        async with bot.runtime.db.sessions() as session:
            meta = await session.scalar(
                select(Message.meta).where(Message.direction == "in", Message.text == TEXT)
            )
    finished = spans.get_finished_spans()
    named = by_name(finished)
    expected = {"deliver", "answer", "route", "retrieval", "send", "chat echo"}
    assert expected <= set(named), sorted(named)
    assert any(name.startswith("invoke_agent ") for name in named), sorted(named)
    # One trace: every span shares the deliver span's trace id.
    deliver = named["deliver"]
    trace_id = deliver.context.trace_id
    assert {span.context.trace_id for span in finished} == {trace_id}
    assert deliver.parent is None
    # The job's span continues the stored context: its parent is the deliver span.
    assert meta["trace"]["traceparent"].split("-")[1] == format(trace_id, "032x")
    answer = named["answer"]
    assert answer.parent is not None and answer.parent.span_id == deliver.context.span_id
    assert deliver.attributes["bot.channel"] == "sms"
    assert deliver.attributes["bot.message_id"] == answer.attributes["bot.message_id"]
    # Model calls follow the GenAI semantic conventions.
    chat = named["chat echo"]
    assert chat.attributes["gen_ai.operation.name"] == "chat"
    assert chat.attributes["gen_ai.provider.name"] == "function"
    assert chat.attributes["gen_ai.request.model"] == "echo"
    assert chat.attributes["gen_ai.usage.input_tokens"] > 0
    assert chat.attributes["gen_ai.usage.output_tokens"] > 0
    agent_span = next(s for s in finished if s.name.startswith("invoke_agent "))
    assert chat.parent is not None and chat.parent.span_id == agent_span.context.span_id
    assert named["retrieval"].parent.span_id == agent_span.context.span_id
    assert named["send"].attributes["bot.channel"] == "sms"
    # No personal data nor text in any attribute.
    for span in finished:
        for key, value in span.attributes.items():
            shown = str(value)
            assert PHONE not in shown and "5551230001" not in shown, (span.name, key)
            assert "opening" not in shown and "You said" not in shown, (span.name, key)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_trace_content_lets_the_text_in(
    database: Database, spans: InMemorySpanExporter
) -> None:
    tracing.shutdown()
    assert tracing.configure(environ={"TRACE_CONTENT": "true"}, exporter=spans)
    async with running_all_channels(database) as bot:
        await sms(bot, TEXT, sender=PHONE)
        await bot.settle()
    named = by_name(spans.get_finished_spans())
    assert named["deliver"].attributes["bot.text"] == TEXT
    assert "You said" in named["send"].attributes["bot.text"]


def test_off_unless_the_otel_variables_ask() -> None:
    assert not tracing.wanted({})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "console"})
    assert not tracing.wanted({"OTEL_TRACES_EXPORTER": "none"})
    assert not tracing.wanted(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}
    )
    tracing.shutdown()
    assert not tracing.configure(environ={})
    with tracing.span("nothing") as span:
        assert span is None
    assert tracing.carrier() == {}
