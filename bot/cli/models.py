"""``bot models``: every configured model with its role, price, context and retirement."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from agents.providers.catalogue import ModelInfo
from agents.providers.factory import ProviderFactory
from bot.preflight import ConfiguredModel, configured_models
from bot.settings import get_settings
from bot.wiring.models import provider_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all", "show_all", is_flag=True, help="List the whole model catalogue.")
def models(as_json: bool, show_all: bool) -> None:
    """The models this bot is configured with: role, price per 1M tokens, context, retirement.

    Prices and dates come from the model catalogue (MODELS_FILE adds to it);
    each entry names the vendor page it was read from, and when.
    """
    settings = get_settings()
    factory = ProviderFactory(provider_settings(settings))
    today = factory.today()
    if show_all:
        rows = [
            ConfiguredModel("catalogue", info.model_id, info, info.status(today))
            for info in sorted(factory.catalogue.models.values(), key=lambda i: i.model_id)
        ]
    else:
        rows = configured_models(settings, factory)
    if as_json:
        click.echo(json.dumps({"today": str(today), "models": [row.as_dict() for row in rows]}))
        return
    table = Table(title=f"Models ({today})")
    for column in ("role", "model", "in / cached / out $/1M", "context", "retires", "status"):
        table.add_column(column)
    for row in rows:
        status = row.status + (f", {row.key_missing} not set" if row.key_missing else "")
        table.add_row(row.role, row.model_id, _prices(row.info), *_lifecycle(row.info), status)
    Console().print(table)


def _prices(info: ModelInfo | None) -> str:
    if info is None:
        return "—"

    def money(value: float | None) -> str:
        return "?" if value is None else f"{value:g}"

    return f"{money(info.input)} / {money(info.cached_input)} / {money(info.output)}"


def _lifecycle(info: ModelInfo | None) -> tuple[str, str]:
    if info is None:
        return "—", "—"
    context = f"{info.context_window:,}" if info.context_window else "?"
    if info.retires_on is None:
        return context, "—"
    return context, f"{info.retires_on} → {info.replacement or '?'}"
