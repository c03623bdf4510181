"""The console channel: the bot in a terminal.

`bot chat` reads a line and hands it to the orchestrator under a "typing…"
indicator; `show_sentence` prints the reply sentence by sentence, each once
the grounding check has passed it, and `send` then prints nothing more of it.
"""

from __future__ import annotations

import getpass
import uuid
from dataclasses import replace

from rich.console import Console
from rich.markup import escape
from rich.status import Status

from channels.base import Address, Card, Channel, IncomingMessage, OutgoingMessage

QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q"})


def default_sender() -> Address:
    """The person at this terminal: ``console:<login name>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        user = "local-user"
    return Address("console", user)


def card_text(card: Card) -> str:
    """A card as text, its buttons as the commands that do the same when typed."""
    lines = [card.as_text()]
    lines += [f"  {a.label}: type /{a.action_id} {a.value}".rstrip() for a in card.actions]
    return "\n".join(lines)


class ConsoleChannel(Channel):
    """Prints replies to a terminal with rich."""

    name = "console"
    max_text_length = 100_000
    #: What is printed stays printed: a live /compare shows its final table once.
    edits_in_place = False

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        #: The sentences of the reply being answered, shown before it is sent.
        self._shown: list[str] = []

    def incoming(self, text: str, sender: Address, *, name: str | None = None) -> IncomingMessage:
        """A line typed at the terminal, as a neutral message."""
        return IncomingMessage(
            channel=self.name,
            sender=sender,
            conversation_key=f"console:{sender}",
            text=text,
            sender_name=name,
        )

    def prompt(self) -> str:
        """Read the next line from the user ('' at end of input)."""
        try:
            return self.console.input("[bold cyan]you>[/] ")
        except EOFError:
            return "/quit"

    def typing(self) -> Status:
        """A "typing…" indicator for while the bot answers (shown on a terminal only).

        It stays below the sentences as they are printed, until the reply is sent.
        """
        self._shown = []  # a stopped answer's sentences are no part of the next one
        return self.console.status("[dim]typing…[/]", spinner="dots")

    async def show_sentence(self, sentence: str) -> None:
        """Print one checked sentence of the reply (the orchestrator's ``on_sentence``)."""
        lead = "[bold green]bot>[/]" if not self._shown else "    "
        self._shown.append(sentence)
        self.console.print(f"{lead} {escape(sentence)}")

    async def send(self, conversation_key: str, message: OutgoingMessage) -> str:
        shown, self._shown = self._shown, []
        # Shown sentence by sentence already: the sent text is exactly those sentences.
        if " ".join(shown).split() != message.text.split():
            self.console.print(f"[bold green]bot>[/] {escape(message.text)}")
        if message.card is not None:
            self.console.print(escape(card_text(message.card)))
        # Unique across processes: every `bot chat` on one database records its sends
        # under (channel, out:<id>), so a per-process counter collided from the second run.
        return f"console-{uuid.uuid4().hex}"

    async def update(self, conversation_key: str, sent_id: str, message: OutgoingMessage) -> str:
        """A terminal cannot edit what it printed: show the new version below, marked."""
        self.console.print(f"[bold green]bot>[/] [dim](updated)[/] {escape(message.text)}")
        if message.card is not None:
            self.console.print(escape(card_text(message.card)))
        return sent_id

    def command_incoming(
        self, name: str, arguments: str, sender: Address, *, text: str
    ) -> IncomingMessage:
        """A ``/command`` typed at the terminal, as a neutral command message."""
        return replace(self.incoming(text, sender), command=name, arguments=arguments)

    def note(self, text: str) -> None:
        """A dim line about the reply (agent, model, cost)."""
        self.console.print(f"[dim]{escape(text)}[/]")
