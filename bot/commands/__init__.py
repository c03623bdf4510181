"""Commands: the registry, the built-in ones, /compare and /enrich.

Each command's logic is channel-neutral: it replies with `OutgoingMessage`s
and cards that every channel renders in its own way.
"""

from bot.commands.builtin import builtin_commands
from bot.commands.live import LiveReply
from bot.commands.registry import Command, CommandContext, CommandRegistry, TeamPolicy

__all__ = [
    "Command",
    "CommandContext",
    "CommandRegistry",
    "LiveReply",
    "TeamPolicy",
    "builtin_commands",
]
