"""AGENT_MODEL_<NAME>: an agent answers with its own model; the others with AI_PROVIDER's."""

from __future__ import annotations

from bot.runtime import Runtime
from channels.base import Address, IncomingMessage


def sms(text: str, external_id: str) -> IncomingMessage:
    return IncomingMessage(
        channel="sms",
        sender=Address("phone", "+15550002222"),
        conversation_key="+15550002222",
        text=text,
        external_id=external_id,
    )


async def test_an_agent_with_its_own_model_answers_with_it(settings, database):
    settings = settings.model_copy(
        update={
            "ai_provider": "function:tests.conftest:polite_reply",
            "agent_model_lead_nurturing": "function:echo",
            "ai_last_resort": "none",
        }
    )
    runtime = await Runtime.start(settings, db=database, migrate=False)
    try:
        quote = await runtime.orchestrator.handle(
            sms("We'd like a hibachi party for 20 guests", "SM1")
        )
        other = await runtime.orchestrator.handle(sms("Do you use peanut oil?", "SM2"))
    finally:
        await runtime.providers.aclose()

    assert (quote.agent, quote.completion.model_id) == ("lead_nurturing", "function:echo")
    assert quote.text == "echo: We'd like a hibachi party for 20 guests"
    assert other.agent != "lead_nurturing"
    assert other.completion.model_id == "function:tests.conftest:polite_reply"
    assert other.text == "You said: Do you use peanut oil?"
