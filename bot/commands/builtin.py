"""The commands every deployment has: ``/ask``, ``/help``, ``/start`` and the SMS keywords."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.commands.registry import Command, CommandContext
from channels.base import (
    HELP_COMMAND,
    OPT_IN_COMMAND,
    OPT_OUT_COMMAND,
    SHARE_PHONE_ACTION,
    Card,
    CardAction,
    OutgoingMessage,
)

log = logging.getLogger(__name__)


async def _ask(context: CommandContext) -> None:
    if not context.arguments:
        await context.reply(OutgoingMessage("Usage: /ask <your question>", private=True))
        return
    question = replace(context.incoming, text=context.arguments, command=None, arguments="")
    await context.orchestrator.answer(question, context.recorded)


async def _help(context: CommandContext) -> None:
    # The carrier keyword HELP gets the business's contact line (CTIA); a typed
    # /help gets the commands this sender may run, as on every channel.
    if context.incoming.channel == "sms" and not context.incoming.text.lstrip().startswith("/"):
        await context.reply(context.sms_help_text)
        return
    await context.reply(OutgoingMessage(context.registry.help_text(context.incoming), private=True))


async def _start(context: CommandContext) -> None:
    name = context.recorded.contact_name or context.incoming.sender_name
    greeting = f"Hello{' ' + name if name else ''}! Ask me anything, or type /help."
    card = Card(
        title="Share your phone number so I know you on every channel (SMS too).",
        actions=(CardAction(SHARE_PHONE_ACTION, "Share my phone number"),),
    )
    await context.reply(OutgoingMessage(greeting, card=card))


async def _opt_out(context: CommandContext) -> None:
    # No reply: after STOP nothing may be sent (the carrier confirms STOP itself).
    sender = context.incoming.sender
    await context.contacts.set_opted_out(sender, True)
    log.info("%s opted out", context.incoming.channel)


async def _opt_in(context: CommandContext) -> None:
    # No reply either: Twilio confirms START itself, and a second text would be noise.
    # Not over a STOP stored after this START (a STOP applies the moment it is stored).
    sender = context.incoming.sender
    await context.contacts.set_opted_out(sender, False, asked_at=context.incoming.received_at)
    log.info("%s opted back in", context.incoming.channel)


def builtin_commands() -> list[Command]:
    """The commands every deployment has."""
    return [
        Command(
            "ask",
            "ask the assistant a question",
            _ask,
            usage="<question>",
            ack_text="Working on it…",
        ),
        Command(HELP_COMMAND, "what I can do", _help, aliases=("bot-help",)),
        Command("start", "say hello and link your phone number", _start, hidden=True),
        Command(OPT_OUT_COMMAND, "stop all messages", _opt_out, hidden=True),
        Command(OPT_IN_COMMAND, "receive messages again", _opt_in, hidden=True),
    ]
