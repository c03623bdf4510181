"""``POST /api/v1/messages``: a message handed to the bot over HTTP, answered in the response."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from bot.errors import InvalidMessageError
from bot.http.common import RuntimeDep, error_response, responses
from bot.http.fields import NOT_BLANK, SENDER, ClientKey, Name, StoredText
from bot.http.stored import stored_reply
from bot.pipeline.intake import store_and_schedule
from channels.base import Address, IncomingMessage
from channels.text import parse_command

#: Served behind API_TOKEN (the app adds the check).
router = APIRouter()


class MessageIn(BaseModel):
    """A message posted to ``POST /api/v1/messages``."""

    # JSON's own types (0 is not false), and Python's regular expressions: the engine
    # that test generators read the published patterns with.
    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    text: StoredText = Field(
        pattern=NOT_BLANK,
        description="What the person said: not only spaces, at most MAX_MESSAGE_CHARS.",
    )
    sender: StoredText = Field(
        max_length=300,
        pattern=SENDER,
        description=(
            "Who said it: phone:+15551234567, email:a@b.co or api:<your id>. "
            "A phone or e-mail that is not a real one is a 422."
        ),
    )
    channel: Literal["api"] = Field(
        "api",
        description="Always api: the other channels receive messages through their webhooks.",
    )
    message_id: ClientKey | None = Field(
        None, description="Your id for this message; sending it again returns no second reply."
    )
    conversation: ClientKey | None = None
    sender_name: Name | None = None


class MessageOut(BaseModel):
    """The bot's reply and what it took."""

    duplicate: bool = False
    #: The conversation is handed to a person: the bot does not answer it.
    held_by_team: bool = False
    reply: str | None
    agent: str | None = None
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: float | None = None
    outcome: str | None = None
    route_reason: str | None = None
    route_confidence: float | None = None
    contact_id: int | None = None
    conversation_id: int | None = None
    message_id: int | None = None
    reply_id: int | None = None


#: A reply is rated by its own id (``reply_id``), not the id of the message it answers.
REPLY_LINKS = {
    "RateReply": {
        "operationId": "rate_reply",
        "parameters": {"message_id": "$response.body#/reply_id"},
        "description": "Rate the bot's reply.",
    }
}


@router.post(
    "/api/v1/messages",
    response_model=MessageOut,
    responses={200: {"links": REPLY_LINKS}, **responses(400, 401, 422, 504)},
    tags=["messages"],
)
async def post_message(body: MessageIn, rt: RuntimeDep) -> Any:
    """Hand a message to the bot and wait for its reply."""
    orchestrator = rt.orchestrator
    try:
        sender = Address.parse(body.sender)
    except ValueError as exc:
        return error_response(422, f"sender: {exc}")
    # A command reads the same here as on every channel: `/help` gets the list.
    command, arguments = parse_command(body.text) or (None, "")
    incoming = IncomingMessage(
        channel=body.channel,
        sender=sender,
        conversation_key=body.conversation or _conversation_key(body.channel, sender),
        text=body.text,
        external_id=body.message_id,
        sender_name=body.sender_name,
        command=command,
        arguments=arguments,
    )
    jobs = rt.inbox.jobs
    try:
        # Stored and scheduled as any channel's message: its answer waits its turn in
        # the conversation, wherever a worker runs it; this request waits for it.
        recorded = await store_and_schedule(
            incoming, orchestrator=orchestrator, jobs=jobs, contacts=rt.contacts
        )
    except InvalidMessageError as exc:
        return error_response(422, str(exc))
    if recorded is None:
        earlier = await rt.conversations.reply_to(body.channel, body.message_id or "")
        return MessageOut(duplicate=True, reply=earlier)
    finished, reply = await jobs.wait(recorded.message_id, rt.settings.answer_wait_s)
    if not finished:
        return error_response(504, "no answer yet: it is stored and will be answered")
    if reply is None:
        reply = await stored_reply(rt, incoming, recorded.message_id)
    if reply is None:  # handed off: the team has the message in its thread
        return MessageOut(
            held_by_team=True,
            reply=None,
            contact_id=recorded.contact_id,
            conversation_id=recorded.conversation_id,
            message_id=recorded.message_id,
        )
    completion = reply.completion
    return MessageOut(
        reply=reply.text,
        agent=reply.agent,
        model=completion.model_id,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        cost_usd=completion.cost_usd,
        latency_ms=round(completion.latency_ms, 2),
        outcome=reply.outcome,
        route_reason=reply.route.reason,
        route_confidence=reply.route.confidence,
        contact_id=reply.contact_id,
        conversation_id=reply.conversation_id,
        message_id=reply.incoming_message_id,
        reply_id=reply.reply_message_id,
    )


def _conversation_key(channel: str, sender: Address) -> str:
    """The sender's own conversation: ``channel:kind:value``, hashed when too long to store."""
    key = f"{channel}:{sender}"
    if len(key) <= 255:  # conversations.key is 255 characters
        return key
    return f"{channel}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
