"""Commands: ``/ask``, ``/help``, ``/start``, the SMS keywords, and what later issues add.

A channel turns its own form of a command (a Slack slash command, a Telegram
``/command``, an SMS keyword) into `IncomingMessage.command`; this registry
runs it. Commands run in the background like any answer, after the message
is stored, so a slow one never holds a webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace

from bot.orchestrator import Orchestrator
from channels.base import (
    HELP_COMMAND,
    OPT_IN_COMMAND,
    OPT_OUT_COMMAND,
    SHARE_PHONE_ACTION,
    Card,
    CardAction,
    IncomingMessage,
    OutgoingMessage,
)
from memory.contacts import ContactDirectory
from memory.conversations import ConversationStore, RecordedMessage

log = logging.getLogger(__name__)


@dataclass
class CommandContext:
    """What a running command can see and do."""

    incoming: IncomingMessage
    recorded: RecordedMessage
    orchestrator: Orchestrator
    contacts: ContactDirectory
    conversations: ConversationStore
    #: The commands of this bot, for help texts.
    registry: CommandRegistry
    #: The answer to SMS HELP: the business's contact line.
    sms_help_text: str = ""

    @property
    def arguments(self) -> str:
        """What followed the command, trimmed."""
        return self.incoming.arguments.strip()

    async def reply(self, message: OutgoingMessage | str) -> list[str]:
        """Store and send a reply to the command; return the channel's ids for it."""
        if isinstance(message, str):
            message = OutgoingMessage(message)
        message = replace(message, text=self.orchestrator.fit(self.incoming, message.text))
        reply_id = await self.conversations.record_reply(
            self.recorded,
            text=message.text,
            agent=f"/{self.incoming.command}",
            calls=(),
            routing_reason="command",
            serves_conversation=False,
        )
        sent = await self.orchestrator.send_reply(self.incoming, message)
        await self.conversations.mark_sent(reply_id, sent)
        return list(sent)


CommandRun = Callable[[CommandContext], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its name, what it is for, and how it runs."""

    name: str
    summary: str
    run: CommandRun
    usage: str = ""
    #: Shown at once where a channel acknowledges in words (Slack); None shows nothing.
    ack_text: str | None = None
    #: Left out of help (the SMS keywords).
    hidden: bool = False
    aliases: tuple[str, ...] = ()


class CommandRegistry:
    """The commands the bot knows, by name and alias."""

    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        self._order: list[Command] = []
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        """Register ``command``; a name already taken is an error."""
        for name in (command.name, *command.aliases):
            if name in self._commands:
                raise ValueError(f"command /{name} is registered twice")
            self._commands[name] = command
        self._order.append(command)

    def get(self, name: str | None) -> Command | None:
        """The command called ``name`` (case-insensitive, with or without ``/``)."""
        if not name:
            return None
        return self._commands.get(name.lstrip("/").lower())

    def visible(self) -> list[Command]:
        """The commands help lists, in registration order."""
        return [c for c in self._order if not c.hidden]

    def help_text(self) -> str:
        """One line per command."""
        lines = ["Here is what I can do:"]
        for command in self.visible():
            usage = f" {command.usage}" if command.usage else ""
            lines.append(f"/{command.name}{usage} — {command.summary}")
        lines.append("Or just write to me.")
        return "\n".join(lines)

    async def run(self, context: CommandContext) -> None:
        """Run the command ``context.incoming`` names, or explain that there is none."""
        command = self.get(context.incoming.command)
        if command is None:
            await context.reply(
                OutgoingMessage(
                    f"I don't know /{context.incoming.command}. " + self.help_text(),
                    private=True,
                )
            )
            return
        await command.run(context)


async def _ask(context: CommandContext) -> None:
    if not context.arguments:
        await context.reply(OutgoingMessage("Usage: /ask <your question>", private=True))
        return
    question = replace(context.incoming, text=context.arguments, command=None, arguments="")
    await context.orchestrator.answer(question, context.recorded)


async def _help(context: CommandContext) -> None:
    if context.incoming.channel == "sms":
        await context.reply(context.sms_help_text)
        return
    await context.reply(OutgoingMessage(context.registry.help_text(), private=True))


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
    await context.contacts.set_opted_out((sender.kind, sender.value), True)
    log.info("%s opted out", context.incoming.channel)


async def _opt_in(context: CommandContext) -> None:
    # No reply either: Twilio confirms START itself, and a second text would be noise.
    sender = context.incoming.sender
    await context.contacts.set_opted_out((sender.kind, sender.value), False)
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
