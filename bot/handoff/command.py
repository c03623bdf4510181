"""The team's side of a handoff: ``/bot-release`` (and the Resolve button), and team replies.

- ``/bot-release <conversation id>`` gives a handed-off conversation back to the
  bot; the alert's Resolve button runs it with the id as its value. Without an
  id it lists the conversations a person has now.
- ``team-reply`` is what a channel makes of a team member's message in an
  alert's thread (Slack): it is relayed to the customer on their channel.
"""

from __future__ import annotations

import logging

from bot.commands.registry import Command, CommandContext
from bot.handoff.desk import HandoffDesk
from bot.handoff.ops_channel import RELEASE_COMMAND
from channels.base import OutgoingMessage
from channels.slack.inbound import TEAM_REPLY_COMMAND

log = logging.getLogger(__name__)


def handoff_commands(desk: HandoffDesk) -> list[Command]:
    """``/bot-release`` and the hidden ``team-reply``, working on ``desk``."""

    async def release(context: CommandContext) -> None:
        argument = context.arguments
        if not argument:
            await context.reply(OutgoingMessage(await _listing(desk), private=True))
            return
        if not argument.isdigit():
            usage = f"Usage: /{RELEASE_COMMAND} <conversation id> (the id is on the alert)."
            await context.reply(OutgoingMessage(usage, private=True))
            return
        conversation_id = int(argument)
        handed = await desk.release(conversation_id, by=_who(context))
        text = (
            f"Conversation {conversation_id} is back with the bot."
            if handed is not None
            else f"Conversation {conversation_id} is not handed off: nothing to release."
        )
        await context.reply(OutgoingMessage(text, private=True))

    async def team_reply(context: CommandContext) -> None:
        text = context.arguments
        if not text:
            return
        thread = context.incoming.conversation_key
        if text.split()[0].lower() in {f"/{RELEASE_COMMAND}", RELEASE_COMMAND}:
            # Typed in the thread as text (Slack does not tell a slash command its thread).
            handed = await desk.store.by_thread(thread)
            if handed is not None:
                await desk.release(handed.conversation_id, by=_who(context))
            return
        relayed = await desk.relay(
            thread, text, author=_who(context), author_id=str(context.incoming.sender)
        )
        if relayed.outcome == "released" and desk.ops is not None:
            await desk.ops.say_in_thread(
                thread,
                f"Not sent: conversation {relayed.conversation_id} is back with the bot.",
            )

    return [
        Command(
            RELEASE_COMMAND,
            "give a conversation handed to a person back to the bot",
            release,
            usage="<conversation id>",
            team_only=True,
        ),
        Command(
            TEAM_REPLY_COMMAND,
            "relay a team member's reply to the customer",
            team_reply,
            hidden=True,
            team_only=True,
        ),
    ]


async def _listing(desk: HandoffDesk) -> str:
    active = await desk.store.active()
    if not active:
        return "No conversation is handed to a person."
    lines = [f"Handed to a person ({len(active)}):"]
    lines += [f"{h.conversation_id}: {h.channel}, {h.reason or 'no reason given'}" for h in active]
    lines.append(f"/{RELEASE_COMMAND} <id> gives one back to the bot.")
    return "\n".join(lines)


def _who(context: CommandContext) -> str:
    return context.incoming.sender_name or str(context.incoming.sender)
