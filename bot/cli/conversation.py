"""``bot chat`` and ``bot ask``: talk to the bot in a terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from bot.cli.answering import answer_stoppably, read_line
from bot.cli.customer import customer_sender, customer_turn
from bot.cli.run import parse_address, run_with_runtime
from bot.errors import InvalidMessageError
from bot.log_setup import configure_logging, settings_log_level
from bot.orchestrator import Reply
from bot.runtime import Runtime
from channels.base import Address, Channel
from channels.console import QUIT_COMMANDS, ConsoleChannel, default_sender
from channels.console_sms import SimulatedSms
from channels.text import parse_command

AS_HELP = "Speak as this identity, e.g. phone:+15551234567 or email:jane@acme.com."


def _as_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as",
        "as_",
        metavar="KIND:VALUE",
        help=AS_HELP,
        callback=lambda _ctx, _param, value: parse_address(value) if value else None,
    )(function)


def describe(reply: Reply) -> str:
    """One line about a reply: agent, model, tokens, cost, latency."""
    c = reply.completion
    cost = "cost unknown" if c.cost_usd is None else f"${c.cost_usd:.6f}"
    return (
        f"{reply.agent} · {c.model_id} · {c.input_tokens}+{c.output_tokens} tokens · "
        f"{cost} · {c.latency_ms:.0f} ms"
    )


#: What only this terminal understands, after the bot's own list of commands.
CONSOLE_HELP = "In this terminal: /as KIND:VALUE speak as someone else, /quit leave."

#: Said when Ctrl-C at the prompt ends the chat (exit status 0, no traceback).
GOODBYE = "bye (Ctrl-C)"

#: How long the chat waits for a command (/compare, /enrich) before giving up on it.
COMMAND_WAIT_S = 600.0


async def _ran_command(
    runtime: Runtime, console: ConsoleChannel, line: str, sender: Address
) -> bool:
    """Run ``line`` as a command (``/compare ...``) if it names one; False otherwise.

    Commands go through the inbox, as on any channel: stored, then run, their
    replies printed by the console channel. The chat waits for them to finish.
    """
    parsed = parse_command(line)
    if parsed is None:
        return False
    name, arguments = parsed  # an unknown one too: the registry answers with the list
    try:
        receipt = await runtime.inbox.deliver(
            console.command_incoming(name, arguments, sender, text=line)
        )
    except InvalidMessageError as exc:
        console.note(f"not sent: {exc}")
        return True
    if receipt.ack_text:
        console.note(receipt.ack_text)
    with console.typing():
        await runtime.inbox.work.drain(COMMAND_WAIT_S)
    if runtime.inbox.commands.get(name) is None or name in {"help", "bot-help"}:
        console.note(CONSOLE_HELP)
    return True


#: Where `bot chat` logs (without -v): a log line in the conversation reads as the bot's.
CHAT_LOG = Path("bot-chat.log")


@click.command()
@_as_option
@click.option(
    "--customer",
    is_flag=True,
    help="Be a customer texting by SMS (the same policies and rendering, segments shown).",
)
@click.option("--team", is_flag=True, help="With --as phone:…, stay a team member.")
@click.pass_context
def chat(ctx: click.Context, as_: Address | None, customer: bool, team: bool) -> None:
    """Talk to the bot in this terminal (/quit to leave, /as KIND:VALUE to switch identity).

    As a team member by default: the bot's commands work here too (/help,
    /compare QUESTION, /enrich TARGET). --customer, or --as phone:+1…, talks as
    a customer would by SMS. Log lines go to bot-chat.log in this folder (to
    stderr with bot -v chat).
    """
    if not (ctx.obj or {}).get("verbose"):
        configure_logging(settings_log_level(), file=CHAT_LOG.resolve())
    console = ConsoleChannel()
    customer = customer or (as_ is not None and as_.kind == "phone" and not team)
    sms = SimulatedSms(console.console) if customer else None

    async def converse(runtime: Runtime) -> None:
        sender = customer_sender(as_) if sms else as_ or default_sender()
        warm_up = getattr(runtime.provider, "warm_up", None)
        if warm_up is not None:
            with console.console.status(f"Loading {runtime.provider.model_id}…"):
                await warm_up()
        who = f"a customer texting from {sender.value} (SMS)" if sms else f"{sender} (team)"
        console.note(
            f"{runtime.business.name} · model {runtime.provider.model_id} · you are {who} · "
            "/quit to leave, /as KIND:VALUE to switch identity"
        )
        while True:
            typed = await read_line(console)
            if typed is None:  # Ctrl-C at the prompt: leave, as /quit does
                console.console.print()  # off the line the terminal echoed ^C on
                console.note(GOODBYE)
                return
            line = typed.strip()
            if line in QUIT_COMMANDS:
                return
            if not line:
                continue
            if line.startswith("/as "):
                try:
                    sender = Address.parse(line[4:])
                    sender = customer_sender(sender) if sms else sender
                except (ValueError, click.BadParameter) as exc:
                    console.note(str(exc))
                    continue
                console.note(f"you are now {sender}")
                continue
            if sms is not None:
                await customer_turn(runtime, console, sms, line, sender)
                continue
            if await _ran_command(runtime, console, line, sender):
                continue
            try:
                reply = await answer_stoppably(runtime, console, console.incoming(line, sender))
            except InvalidMessageError as exc:
                console.note(f"not sent: {exc}")
                continue
            if reply is not None:
                console.note(describe(reply))

    channels: dict[str, Channel] = {sms.name: sms} if sms else {console.name: console}
    try:
        run_with_runtime(converse, channels=channels)
    except KeyboardInterrupt:  # Ctrl-C while loading the model or during a customer's turn
        console.note(GOODBYE)


@click.command()
@click.argument("question")
@_as_option
@click.option("--json", "as_json", is_flag=True, help="Print agent, model, tokens, cost too.")
@click.option(
    "--id",
    "message_id",
    metavar="ID",
    help="An id for this message: asking again with the same id gives no second answer.",
)
def ask(question: str, as_: Address | None, as_json: bool, message_id: str | None) -> None:
    """Ask one question, print the answer, exit."""
    console = ConsoleChannel()
    sender = as_ or default_sender()
    incoming = replace(console.incoming(question, sender), external_id=message_id)

    async def answer(runtime: Runtime) -> Reply | str | None:
        reply = await runtime.orchestrator.handle(incoming)
        if reply is None and message_id is not None:
            return await runtime.conversations.reply_to(console.name, message_id)
        return reply

    try:
        reply = run_with_runtime(answer)
    except InvalidMessageError as exc:
        raise click.UsageError(str(exc)) from None
    if not isinstance(reply, Reply):
        click.echo(f"message {message_id} was answered before; not asking again", err=True)
        if as_json:
            click.echo(json.dumps({"duplicate": True, "text": reply}))
        elif reply:
            click.echo(reply)
        return
    if not as_json:
        click.echo(reply.text)
        return
    click.echo(json.dumps(reply_summary(reply)))


def reply_summary(reply: Reply) -> dict[str, object]:
    """A reply as ``bot ask --json`` prints it: who answered, at what cost, after what."""
    c = reply.completion
    summary: dict[str, object] = {
        "text": reply.text,
        "agent": reply.agent,
        "provider": c.provider,
        "model": c.model_id,
        "input_tokens": c.input_tokens,
        "output_tokens": c.output_tokens,
        "cached_input_tokens": c.cached_input_tokens,
        "reasoning_tokens": c.reasoning_tokens,
        "cost_usd": c.cost_usd,
        # Every call behind the reply: retries, fallbacks, student and teacher.
        "total_cost_usd": c.total_cost_usd,
        "latency_ms": round(c.latency_ms, 2),
        "outcome": reply.outcome,
        "route_reason": reply.route.reason,
        "contact_id": reply.contact_id,
        "calls": [
            {
                "model": call.model_id,
                "role": call.role,
                "outcome": call.outcome,
                "input_tokens": call.input_tokens,
                "output_tokens": call.output_tokens,
                "reasoning_tokens": call.reasoning_tokens,
                "cost_usd": call.cost_usd,
                "error": call.error,
            }
            for call in c.call_log
        ],
    }
    for key in ("fallback", "hybrid", "skipped", "error"):
        if key in c.extras:
            summary[key] = c.extras[key]
    return summary
