"""/compare in chat: one message edited as answers arrive, vote buttons, ``/compare stats``.

``/compare <question>`` shows a row per model at once and fills each row in
as its answer arrives (Slack edits through the command's ``response_url``,
Telegram with editMessageText), then the ranking with buttons to pick the
best answer or give thumbs up/down. The buttons are hidden commands whose
value is ``<compare id>:<position>``. The logic is `CompareService`'s.
"""

from __future__ import annotations

import re

from bot.commands.registry import Command, CommandContext
from bot.compare.admission import MAX_QUESTION_CHARS, CompareRefusedError, CompareTicket
from bot.compare.render import (
    BEST_ACTION,
    DOWN_ACTION,
    UP_ACTION,
    final_message,
    live_message,
    stats_message,
)
from bot.compare.service import CompareService
from channels.base import OutgoingMessage
from memory.compare_records import StoredAnswer, VoteKind

__all__ = ["CompareService", "compare_commands", "parse_arguments"]

#: Anywhere in the arguments: ask the models even if a stored answer exists.
FRESH_FLAG = "--fresh"
# Slack may turn "--" into an em dash on the way, as it does for /enrich --refresh.
_FRESH = re.compile(r"(?<!\S)(?:--|—)fresh(?!\S)", re.IGNORECASE)
#: Ask without the business's context (a general question); always asks anew.
BARE_FLAG = "--bare"
_BARE = re.compile(r"(?<!\S)(?:--|—)bare(?!\S)", re.IGNORECASE)
#: ``/compare stats``: win rates instead of a compare.
STATS_WORD = "stats"
#: Where no channel says its limit (the console, a command run without a channel).
DEFAULT_LIMIT = 4000


def usage_text(models: int) -> str:
    """The help an empty ``/compare`` gets."""
    return (
        f"Usage: /compare <question> — asks {models} model{'s' * (models != 1)} at once "
        "and ranks their answers.\n"
        f"/compare {FRESH_FLAG} <question> — ask the models again instead of reusing "
        "the stored answers of the same question.\n"
        f"/compare {BARE_FLAG} <question> — ask without the business's summary and "
        "documents (the models get them by default).\n"
        f"/compare {STATS_WORD} — win rates per model from the team's votes.\n"
        f"Questions take up to {MAX_QUESTION_CHARS:,} characters."
    )


def parse_arguments(arguments: str) -> tuple[str, bool]:
    """The question, and whether ``--fresh`` appeared anywhere in ``arguments`` as a word."""
    question, found = _FRESH.subn(" ", arguments)
    return question.strip(), found > 0


def parse_bare(arguments: str) -> tuple[str, bool]:
    """``arguments`` without ``--bare``, and whether it was there."""
    rest, found = _BARE.subn(" ", arguments)
    return rest.strip(), found > 0


class _CompareCommand:
    """``/compare``: the runs, ``stats`` and the usage help."""

    def __init__(self, service: CompareService) -> None:
        self.service = service

    async def __call__(self, context: CommandContext) -> None:
        arguments, bare = parse_bare(context.arguments)
        question, fresh = parse_arguments(arguments)
        fresh = fresh or bare  # stored answers were given with the business's context
        if question.lower() == STATS_WORD and not fresh:
            await context.reply(stats_message(await self.service.stats()))
            return
        try:
            ticket = await self.service.admit(
                question,
                asker=context.asker,
                channel=context.incoming.channel,
                contact_id=context.recorded.contact_id,
                fresh=fresh,
            )
        except CompareRefusedError as exc:
            text = usage_text(len(self.service.lineup.contestants))
            if exc.reason != "empty":
                text = str(exc)
            await context.reply(OutgoingMessage(text, private=True))
            return
        limit = _limit(context)
        if ticket.cached is not None:
            await context.reply(final_message(ticket.cached, limit=limit))
            return
        await self._run_live(context, ticket, limit, bare=bare)

    async def _run_live(
        self, context: CommandContext, ticket: CompareTicket, limit: int, *, bare: bool
    ) -> None:
        rows = {answer.position: answer for answer in ticket.pending()}
        notes = ticket.lineup.notes

        def shown() -> OutgoingMessage:
            return live_message(ticket.question, list(rows.values()), notes=notes, limit=limit)

        live = await context.live(shown())

        async def arrived(answer: StoredAnswer) -> None:
            rows[answer.position] = answer  # its own row, whatever the order of arrival
            await live.update(shown())

        try:
            result = await self.service.run(ticket, on_answer=arrived, bare=bare)
        except Exception:
            await live.finish(
                OutgoingMessage("Sorry, the compare broke off. Please try again in a moment.")
            )
            raise
        await live.finish(final_message(result, limit=limit))


class _VoteCommand:
    """A vote button: best answer, 👍 or 👎; acknowledged to the voter alone."""

    def __init__(self, service: CompareService, kind: VoteKind) -> None:
        self.service = service
        self.kind = kind

    async def __call__(self, context: CommandContext) -> None:
        query_id, _, position = context.arguments.partition(":")
        answer = None
        if query_id.isdigit() and position.isdigit():
            answer = await self.service.vote(
                int(query_id), int(position), voter=context.asker, kind=self.kind
            )
        if answer is None:
            text = "That compare or answer no longer exists; nothing was noted."
        elif self.kind == "best":
            text = f"Noted: answer {answer.position} ({answer.model_id}) as best."
        else:
            thumb = "👍" if self.kind == "up" else "👎"
            text = f"Noted: {thumb} for answer {answer.position} ({answer.model_id})."
        await context.reply(OutgoingMessage(text, private=True))


def compare_commands(service: CompareService) -> list[Command]:
    """``/compare`` and its buttons; team members only (see `TeamPolicy`)."""
    models = len(service.lineup.contestants)
    return [
        Command(
            "compare",
            f"ask {models} model{'s' * (models != 1)} at once and rank the answers "
            "(/compare stats: win rates)",
            _CompareCommand(service),
            usage="<question>",
            ack_text=f"Asking {models} model{'s' * (models != 1)}…",
            team_only=True,
        ),
        _vote_command(service, BEST_ACTION, "best"),
        _vote_command(service, UP_ACTION, "up"),
        _vote_command(service, DOWN_ACTION, "down"),
    ]


def _vote_command(service: CompareService, action: str, kind: VoteKind) -> Command:
    return Command(
        action,
        f"vote on a /compare answer ({kind})",
        _VoteCommand(service, kind),
        hidden=True,
        team_only=True,
    )


def _limit(context: CommandContext) -> int:
    """The longest message the asker's channel shows as one."""
    channel = context.orchestrator.outbox.channel(context.incoming.channel)
    return channel.max_text_length if channel is not None else DEFAULT_LIMIT
