"""One logging setup for the CLI, ``bot serve`` and every worker it starts.

uvicorn configures logging itself, in each worker process, from a dict
(``log_config``); `log_config` is uvicorn's own (its ``uvicorn``,
``uvicorn.error`` and ``uvicorn.access`` loggers, its access formatter) plus
the root logger the bot's modules log through. So a worker started by
``bot serve --workers 2`` logs the bot's lines as the CLI does, not only
uvicorn's.

Personal data is masked before any of it is written: `configure_logging`,
and ``bot.http.asgi`` in every worker, install the masking record factory
(`agents.privacy.log_masking`).
"""

from __future__ import annotations

import copy
import logging.config
import os
from pathlib import Path
from typing import Any

from agents.privacy.log_masking import install_log_masking

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_config(level: str, log_format: str | None = None) -> dict[str, Any]:
    """uvicorn's logging dict, with the root logger writing the bot's lines to stderr.

    ``log_format`` ``json`` (default: the ``LOG_FORMAT`` variable) makes every
    line, uvicorn's included, one JSON object (`bot.observability.json_logs`).
    """
    from uvicorn.config import LOGGING_CONFIG  # lazily: `bot --help` needs no uvicorn

    config = copy.deepcopy(LOGGING_CONFIG)
    config["disable_existing_loggers"] = False  # the bot's loggers exist before this runs
    config["formatters"]["bot"] = {"format": FORMAT}
    if (log_format or os.environ.get("LOG_FORMAT", "text")).lower() == "json":
        for name in ("bot", "default", "access"):
            config["formatters"][name] = {"()": "bot.observability.json_logs.JsonFormatter"}
    config["handlers"]["bot"] = {
        "formatter": "bot",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["root"] = {"handlers": ["bot"], "level": level.upper()}
    # Alembic announces its plugins and its dialect at INFO in every process: noise.
    config["loggers"]["alembic.runtime.plugins"] = {"level": "WARNING"}
    config["loggers"]["alembic.runtime.migration"] = {"level": "WARNING"}
    return config


def configure_logging(
    level: str, log_format: str | None = None, *, file: Path | None = None
) -> None:
    """Log at ``level`` and above to stderr (or to ``file``), with personal data masked.

    `bot chat` passes a file: a log line inside the conversation reads as if the
    bot had said it.
    """
    config = log_config(level, log_format)
    if file is not None:
        config["handlers"]["bot"] = {
            "formatter": "bot",
            "class": "logging.FileHandler",
            "filename": str(file),
            "encoding": "utf-8",
            "delay": True,  # no empty file when nothing is logged
        }
    logging.config.dictConfig(config)
    install_log_masking()


def settings_log_level() -> str:
    """``LOG_LEVEL`` from the settings; WARNING when they cannot be read (the command says why)."""
    from bot.errors import SettingsError
    from bot.settings import get_settings  # lazily: `bot --help` reads no settings

    try:
        return get_settings().log_level
    except SettingsError:  # reported, in one line, by the command that loads them next
        return "WARNING"


def cli_log_level(*, verbose: bool) -> str:
    """The CLI's level: ``LOG_LEVEL``, lowered to INFO by ``-v``."""
    level = settings_log_level()
    return "INFO" if verbose and level in {"WARNING", "ERROR"} else level
