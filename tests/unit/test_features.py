"""The feature list: each feature's routes, commands and CLI reach the app, registry and CLI."""

from __future__ import annotations

import subprocess
import sys

from fastapi import APIRouter

from bot.cli import COMMANDS
from bot.features import FEATURES, feature_cli, feature_routers


def test_feature_names_are_unique() -> None:
    names = [feature.name for feature in FEATURES]
    assert len(names) == len(set(names))


def test_every_feature_cli_command_is_a_bot_subcommand() -> None:
    for name, entry in feature_cli().items():
        assert COMMANDS[name] == entry


def test_every_feature_router_is_a_router_with_api_routes() -> None:
    routers = feature_routers()
    assert routers and all(isinstance(router, APIRouter) for router in routers)
    paths = {route.path for router in routers for route in router.routes}  # type: ignore[attr-defined]
    assert "/api/v1/compare" in paths
    assert "/api/v1/enrich" in paths


def test_the_feature_list_imports_no_web_framework() -> None:
    """`bot --help` reads the list: a feature's routes and commands load only when asked."""
    code = (
        "import sys, bot.features; "
        "print(any(m == 'fastapi' or m.startswith('bot.compare.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
