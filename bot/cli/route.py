"""``bot route``: which agent would answer each message read from stdin.

One message per line, or JSON lines with a ``text`` field (and, optionally,
``channel`` and ``current_agent`` overriding the options). Prints one JSON line
per message, as soon as it is routed: ``{"text", "agent", "confidence", "reason"}``.
Nothing is stored and no model answers; with ROUTER_EMBEDDINGS on, the embedded
model's sentence vectors take part as they do in the running bot.

``bot route --save-vectors`` instead embeds the business's examples and keeps their
vectors in its folder (``routing-vectors/``), so a fresh install or a new container
routes with vectors from its first message. Run it after editing the examples.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from agents.routing import ExampleRouter, RoutingExamples, build_router
from agents.routing.base import Router
from agents.routing.embeddings import shared_encoder, ship_vectors
from agents.routing.examples import ROUTING_FILE
from bot.settings import get_settings

CHANNELS = ("sms", "telegram", "slack", "console", "api")


def parse_line(line: str) -> dict[str, Any] | None:
    """The message on one input line: plain text, or a JSON object with ``text``."""
    stripped = line.strip()
    if not stripped:
        return None
    if stripped.startswith("{"):
        try:
            row = json.loads(stripped)
        except json.JSONDecodeError:
            return {"text": stripped}  # text that merely starts with a brace
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise ValueError('a JSON line needs a "text" string')
        return row
    return {"text": stripped}


async def route_lines(
    router: Router, lines: TextIO, *, channel: str, current_agent: str | None
) -> int:
    """Route every line of ``lines`` and print the results; return the count of bad lines."""
    bad = 0
    for number, line in enumerate(lines, start=1):
        try:
            row = parse_line(line)
        except ValueError as exc:
            click.echo(f"line {number}: {exc}", err=True)
            bad += 1
            continue
        if row is None:
            continue
        route = await router.route(
            row["text"],
            channel=row.get("channel") or channel,
            current_agent=row.get("current_agent", current_agent),
        )
        out = {
            "text": row["text"],
            "agent": route.agent,
            "confidence": route.confidence,
            "reason": route.reason,
        }
        click.echo(json.dumps(out, ensure_ascii=False))
        sys.stdout.flush()
    return bad


async def _route_stdin(router: Router, *, channel: str, current_agent: str | None) -> int:
    if isinstance(router, ExampleRouter):
        await router.prepare()  # with the vectors from the first line, as a warm bot routes
    return await route_lines(router, sys.stdin, channel=channel, current_agent=current_agent)


@click.command()
@click.option(
    "--channel",
    type=click.Choice(CHANNELS),
    default="sms",
    show_default=True,
    help="The channel the messages arrive on (slack leans towards operations).",
)
@click.option(
    "--current-agent",
    metavar="AGENT",
    help="The agent already serving the conversation (continuations stay with it).",
)
@click.option(
    "--save-vectors",
    is_flag=True,
    help="Embed the examples and keep their vectors in the business folder; route nothing.",
)
def route(channel: str, current_agent: str | None, save_vectors: bool) -> None:
    """Route messages from stdin (lines, or JSON lines with "text") to agents; print JSON lines."""
    settings = get_settings()
    if save_vectors:
        _save_vectors(settings.business_dir)
        return
    router = build_router(settings.business_dir, embeddings=settings.router_embeddings)
    known = getattr(router, "agents", [])
    if current_agent is not None and current_agent not in known:
        raise click.BadParameter(f"not one of {', '.join(known)}", param_hint="--current-agent")
    bad = asyncio.run(_route_stdin(router, channel=channel, current_agent=current_agent))
    if bad:
        sys.exit(1)


def _save_vectors(business_dir: Path) -> None:
    examples = RoutingExamples.from_folder(business_dir)
    if examples is None:
        raise click.ClickException(f"{business_dir} has no {ROUTING_FILE}: nothing to embed")
    encoder = shared_encoder()
    if encoder is None:
        raise click.ClickException("the embedded model did not load: see the log")
    path = ship_vectors(encoder, examples)
    click.echo(f"{len(examples.pairs())} examples' vectors saved to {path}")
