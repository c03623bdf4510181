"""What people expect of a Python command (issue 17 §11): --version, a quick --help."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import click

from bot.cli import COMMANDS, cli
from bot.testing.processes import ROOT
from tests.support.cli import bot_env, run_bot


def test_version(tmp_path: Path):
    result = run_bot(["--version"], bot_env(tmp_path), tmp_path)

    assert result.returncode == 0
    assert result.stdout == f"bot {version('frontdesk-bot')}\n"


def test_help_lists_every_command_and_imports_none_of_them(tmp_path: Path):
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "sys.argv = ['bot', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('bot.', 'fastapi', 'sqlalchemy'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=bot_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    for name in COMMANDS:
        assert f"  {name} " in result.stdout
    loaded = result.stdout.strip().splitlines()[-1]
    assert "fastapi" not in loaded and "sqlalchemy" not in loaded and "bot.runtime" not in loaded


def test_each_listed_summary_is_the_first_words_of_its_commands_help():
    ctx = click.Context(cli)
    for name, (_, _, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        words = " ".join((command.help or "").split())
        # The summary's words, in order, are the help's (it may leave some out).
        at = 0
        for word in summary.rstrip(".").split():
            at = words.find(word, at)
            assert at >= 0, (name, word, words)


def _commands(group: click.Group, ctx: click.Context):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, click.Context(command, parent=ctx))
        elif command is not None:
            yield f"{ctx.command_path} {name}", command


def test_every_file_output_option_is_out_and_o():
    seen = []
    for path, command in _commands(cli, click.Context(cli, info_name="bot")):
        for param in command.params:
            if {"--out", "--output"} & set(param.opts):
                seen.append(path)
                assert {"-o", "--out"} <= set(param.opts), (path, param.opts)
    assert len(seen) >= 4  # enrich, export pairs, export finetune, contacts export


def test_the_license_file_is_the_one_pyproject_declares():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    text = (ROOT / "LICENSE").read_text()

    assert declared == "Apache-2.0"
    assert "Apache License" in text and "Version 2.0, January 2004" in text
