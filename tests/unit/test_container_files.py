"""What can be checked of the Dockerfile and compose.yml without a Docker engine.

No image is built on these machines (no engine, no registry): these tests read
the files and hold them to the real CLI, the real settings and the README's
way of installing the project.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import click
import pytest
import yaml

from bot.cli import cli
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
#: The postgres image's own variables (https://hub.docker.com/_/postgres).
POSTGRES_IMAGE_VARIABLES = {
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "POSTGRES_INITDB_ARGS",
    "POSTGRES_HOST_AUTH_METHOD",
    "PGDATA",
}
#: Python's own variables the Dockerfile may set.
PYTHON_VARIABLES = {"PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}


def _settings_variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        names.add(name.upper())
        choices = getattr(field.validation_alias, "choices", ())
        names.update(str(choice).upper() for choice in choices)
    return names


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yml").read_text())


def _bot_services() -> dict[str, dict]:
    return {
        name: service
        for name, service in _compose()["services"].items()
        if "build" in service  # the services running this project's image
    }


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _assert_real_command(argv: list[str]) -> None:
    """``argv`` parses as a `bot` command: the subcommand exists and takes these options."""
    assert argv[0] == "bot", argv
    name, *args = argv[1:]
    group_ctx = click.Context(cli, info_name="bot")
    # The CLI loads its subcommands lazily (bot/cli/lazy.py): ask it as click does.
    command = cli.get_command(group_ctx, name)
    assert command is not None, f"bot has no command {name!r}"
    try:
        command.make_context(name, list(args), parent=group_ctx)
    except click.UsageError as exc:  # an unknown option or a bad value
        pytest.fail(f"{argv}: {exc}")


def test_compose_file_parses_with_postgres_web_worker_and_migrate() -> None:
    services = _compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert "healthcheck" in services["postgres"]
    assert set(_bot_services()) == {"migrate", "web", "worker"}
    for service in _bot_services().values():
        assert service["env_file"] == ".env"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgres/" in service["environment"]["DATABASE_URL"]
    # The schema is brought up to date once, before web and workers start.
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_command_compose_runs_is_a_real_cli_command() -> None:
    commands = {name: service["command"] for name, service in _bot_services().items()}
    assert commands["migrate"] == ["bot", "migrate"]
    assert commands["web"][:2] == ["bot", "serve"] and "--no-worker" in commands["web"]
    assert commands["worker"][:2] == ["bot", "worker"]
    for argv in commands.values():
        _assert_real_command(argv)


def test_a_wrong_command_or_option_would_fail_the_check() -> None:
    with pytest.raises(AssertionError):
        _assert_real_command(["bot", "serv"])
    with pytest.raises(pytest.fail.Exception):
        _assert_real_command(["bot", "serve", "--no-workers"])


def test_every_variable_compose_sets_is_a_known_setting() -> None:
    known = _settings_variables()
    for name, service in _compose()["services"].items():
        allowed = known | (POSTGRES_IMAGE_VARIABLES if name == "postgres" else set())
        unknown = set(service.get("environment", {})) - allowed
        assert not unknown, f"{name} sets {unknown}, which the bot does not read"


def test_every_variable_the_dockerfile_sets_is_a_known_setting() -> None:
    known = _settings_variables() | PYTHON_VARIABLES
    runtime = _stages()[-1]
    variables = {
        match.group(1)
        for word, rest in runtime
        if word == "ENV"
        for match in re.finditer(r"([A-Z_][A-Z0-9_]*)=", rest)
    }
    assert variables and variables <= known, variables - known


def test_the_dockerfile_builds_wheels_once_and_installs_the_project_the_readme_way() -> None:
    build, runtime = _stages()[0], _stages()[-1]
    assert len(_stages()) == 2
    assert build[0][1].startswith("python:3.11-slim") and build[0][1].endswith(" AS build")
    assert runtime[0][1] == "python:3.11-slim"
    build_runs = " ".join(rest for word, rest in build if word == "RUN")
    assert "build-essential" in build_runs and "cmake" in build_runs
    # The README installs the project with pip from its folder (`pip install -e ".[dev]"`);
    # the image builds the wheel of that same folder (`.`) and installs it by its name.
    readme = (ROOT / "README.md").read_text()
    assert re.search(r'pip install (-e )?"?\.(\[[a-z,]+\])?"?', readme)
    wheel = [shlex.split(rest) for word, rest in build if word == "RUN" and "pip wheel" in rest]
    assert len(wheel) == 1 and wheel[0][-1] == "." and "--wheel-dir" in wheel[0]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    installs = [
        shlex.split(rest) for word, rest in runtime if word == "RUN" and "pip install" in rest
    ]
    assert len(installs) == 1
    install = installs[0]
    assert install[-1] == project and "--no-index" in install and "--find-links" in install
    # No compiler in the image that runs.
    runtime_runs = " ".join(rest for word, rest in runtime if word == "RUN")
    assert "build-essential" not in runtime_runs and "cmake" not in runtime_runs


def test_the_runtime_stage_runs_as_a_non_root_user_the_cli_serve_command() -> None:
    runtime = _stages()[-1]
    users = [rest for word, rest in runtime if word == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    # USER comes before the command, so `bot serve` never runs as root.
    words = [word for word, _ in runtime]
    assert words.index("USER") < words.index("CMD")
    cmd = json.loads(next(rest for word, rest in runtime if word == "CMD"))
    assert cmd == ["bot", "serve", "--host", "0.0.0.0"]
    _assert_real_command(cmd)


def test_dockerignore_keeps_secrets_and_databases_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "*.db"} <= set(ignored)


def test_the_docs_say_plainly_the_image_is_not_built_in_ci() -> None:
    operating = (ROOT / "docs" / "operating.md").read_text()
    assert "The image is not built in CI" in operating
    assert "docker compose up -d --scale worker=" in operating
