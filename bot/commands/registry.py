"""The command registry: `Command`, what a running command sees, and who may run it.

A channel turns its own form of a command (a Slack slash command, a Telegram
``/command``, an SMS keyword, a button press) into `IncomingMessage.command`;
`CommandRegistry.run` runs it. Commands run in the background like any
answer, after the message is stored, so a slow one never holds a webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace

from bot.commands.live import LiveReply
from bot.orchestrator import Orchestrator
from bot.team import TeamPolicy
from channels.base import IncomingMessage, OutgoingMessage
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

    @property
    def asker(self) -> str:
        """Who ran the command as ``kind:value`` (``slack:U123``): keys rate limits and votes."""
        return str(self.incoming.sender)

    async def reply(self, message: OutgoingMessage | str) -> list[str]:
        """Store and send a reply to the command; return the channel's ids for it."""
        if isinstance(message, str):
            message = OutgoingMessage(message)
        message = replace(message, text=self.orchestrator.outbox.fit(self.incoming, message.text))
        reply_id = await self.record_reply(message.text)
        sent = await self.orchestrator.outbox.send_reply(self.incoming, message, reply_id=reply_id)
        return list(sent)

    async def live(self, first: OutgoingMessage) -> LiveReply:
        """Show ``first`` at once and return a handle to edit it in place as results arrive.

        `LiveReply.finish` stores the final text as the command's reply.
        """
        live = LiveReply(self.incoming, self.orchestrator.outbox.channel(self.incoming.channel))
        await live.show(first)
        live.on_finish = self._store_live
        return live

    async def record_reply(self, text: str) -> int:
        """Store ``text`` as this command's reply (not sent); return its message id."""
        return await self.conversations.record_reply(
            self.recorded,
            text=text,
            agent=f"/{self.incoming.command}",
            calls=(),
            routing_reason="command",
            serves_conversation=False,
        )

    async def _store_live(self, text: str, sent_ids: list[str]) -> None:
        reply_id = await self.record_reply(text)
        await self.conversations.mark_sent(reply_id, sent_ids)


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
    #: Left out of help (the SMS keywords, button presses).
    hidden: bool = False
    aliases: tuple[str, ...] = ()
    #: Only team members may run it (see `TeamPolicy`); customers are told it is not theirs.
    team_only: bool = False


class CommandRegistry:
    """The commands the bot knows, by name and alias."""

    def __init__(self, commands: Iterable[Command] = (), *, team: TeamPolicy | None = None) -> None:
        self._commands: dict[str, Command] = {}
        self._order: list[Command] = []
        self.team = team or TeamPolicy()
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

    def visible(self, incoming: IncomingMessage | None = None) -> list[Command]:
        """The commands help lists (for ``incoming``'s sender, if given), in registration order."""
        team = incoming is None or self.team.is_team(incoming)
        return [c for c in self._order if not c.hidden and (team or not c.team_only)]

    def help_text(self, incoming: IncomingMessage | None = None) -> str:
        """One line per command the sender may run."""
        lines = ["Here is what I can do:"]
        for command in self.visible(incoming):
            usage = f" {command.usage}" if command.usage else ""
            lines.append(f"/{command.name}{usage} — {command.summary}")
        lines.append("Or just write to me.")
        return "\n".join(lines)

    def for_sender(self, incoming: IncomingMessage) -> Command | None:
        """The command ``incoming`` names if its sender may run it; else None.

        A team command is unknown to a customer: they get the answer (and the
        acknowledgement) of a command that does not exist, not a hint that it does.
        """
        command = self.get(incoming.command)
        if command is not None and command.team_only and not self.team.is_team(incoming):
            return None
        return command

    async def run(self, context: CommandContext) -> None:
        """Run the command ``context.incoming`` names, or explain why it cannot run."""
        incoming = context.incoming
        command = self.for_sender(incoming)
        if command is None and self.get(incoming.command) is not None:
            log.info("/%s refused: %s is not on the team", incoming.command, incoming.sender)
        if command is None:
            await context.reply(
                OutgoingMessage(
                    f"I don't know /{incoming.command}. " + self.help_text(incoming),
                    private=True,
                )
            )
            return
        await command.run(context)
