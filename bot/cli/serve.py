"""``bot serve``: the HTTP app under uvicorn."""

from __future__ import annotations

import click

from bot.settings import get_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes; they share state only through the database.",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the webhooks, /healthz and the HTTP API."""
    import uvicorn

    settings = get_settings()  # fail here, with one line, rather than in every worker
    uvicorn.run(
        "bot.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )
