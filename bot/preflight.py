"""The start-up preflight: every configured model checked once, before the bot answers.

Vendors retire models on a date and then answer 404 to every message, so the
bot checks each model it is configured with against the model catalogue
(`agents.providers.catalogue`), and each vendor model against its key:

- the answering model (``AI_PROVIDER``) retired, with no fallback after it
  (``AI_FALLBACKS``; the embedded last resort is a safety net, not a
  replacement) → one line, `PreflightError`, and the bot does not start;
- a retired model anywhere else (a fallback, a per-agent model, /compare, the
  judge, /enrich, the hybrid's teacher or student) → one warning naming the
  replacement; the factory leaves it out, so a team feature never stops the
  customer-facing bot;
- a model retiring within 30 days → one warning;
- the answering model's key not set, and no fallback with one → one line,
  `PreflightError` (the embedded last resort does not count, as above);
- a vendor model whose key is not set → one warning (it will be skipped),
  naming the model that answers instead when it is in the answering chain.

`bot models` prints the same rows as a table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from agents.providers.catalogue import ModelInfo
from agents.providers.factory import KEY_SETTINGS, ProviderFactory
from bot.errors import BotError
from bot.settings import Settings
from bot.wiring.models import role_models

log = logging.getLogger(__name__)


class PreflightError(BotError):
    """The bot cannot answer anyone as configured; the message says what to change."""


@dataclass(frozen=True, slots=True)
class ConfiguredModel:
    """One model the settings name, in one role."""

    role: str  # answering, fallback, last resort, agent.<name>, judge, enrich, compare, ...
    model_id: str
    info: ModelInfo | None
    status: str  # active, retiring, retired, unknown (not in the catalogue)
    key_missing: str | None = None  # the unset key setting, for a vendor model

    def as_dict(self) -> dict[str, Any]:
        """The row as ``bot models --json`` prints it."""
        info = self.info
        return {
            "role": self.role,
            "model": self.model_id,
            "status": self.status,
            "input_per_1m": info.input if info else None,
            "cached_input_per_1m": info.cached_input if info else None,
            "output_per_1m": info.output if info else None,
            "context_window": info.context_window if info else None,
            "retires_on": str(info.retires_on) if info and info.retires_on else None,
            "replacement": info.replacement if info else None,
            "key_missing": self.key_missing,
            "source": info.source if info else None,
            "read_on": str(info.read_on) if info and info.read_on else None,
        }


def configured_models(settings: Settings, factory: ProviderFactory) -> list[ConfiguredModel]:
    """Every model the settings name, with its role, in the order a reader expects."""
    named: list[tuple[str, str]] = [("answering", settings.ai_provider)]
    named += [("fallback", model_id) for model_id in _split(settings.ai_fallbacks)]
    last_resort = factory.settings.last_resort
    if last_resort:
        named.append(("last resort", last_resort))
    if any(factory.model_id(model_id).startswith("hybrid:") for _, model_id in named):
        named += [("student", settings.hybrid_student), ("teacher", factory.teacher_id())]
    named += list(role_models(settings).items())
    named += [("compare", model_id) for model_id in settings.compare_model_ids()]
    rows: list[ConfiguredModel] = []
    for role, raw in named:
        model_id = factory.model_id(raw)
        if model_id.startswith("hybrid:"):
            continue  # its student and teacher are listed instead
        rows.append(_row(role, model_id, factory))
    return rows


def preflight(settings: Settings, factory: ProviderFactory) -> list[str]:
    """Check the configured models; log one warning each; raise `PreflightError` if fatal.

    Returns the warnings (also logged), for the caller to show or test.
    """
    today = factory.today()
    rows = configured_models(settings, factory)
    answering = [row for row in rows if row.role in {"answering", "fallback"}]
    if answering and answering[0].status == "retired":
        usable_after = [row for row in answering[1:] if row.status != "retired"]
        if not usable_after:
            raise PreflightError(_line(answering[0], today, "set AI_PROVIDER or its *_MODEL"))
    # A vendor model without its key answers nobody: the chain's first usable one answers.
    chain = [row for row in answering if row.status != "retired"]
    keyed = [row.model_id for row in chain if not row.key_missing]
    if chain and chain[0].key_missing and not keyed:
        raise PreflightError(
            _key_line(chain[0], f"{chain[0].role}: set it, or choose another AI_PROVIDER")
        )
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row.role, row.model_id)
        if key in seen:
            continue
        seen.add(key)
        if row.status == "retired":
            warnings.append(_line(row, today, "skipped"))
        elif row.status == "retiring":
            warnings.append(_line(row, today, "change it before then"))
        elif row.key_missing and row.role in {"answering", "fallback"}:
            warnings.append(_key_line(row, f"{row.role}: skipped; answering with {keyed[0]}"))
        elif row.key_missing and row.role != "compare":  # the compare line-up notes its own
            warnings.append(_key_line(row, f"{row.role}: skipped"))
    for warning in warnings:
        log.warning("%s", warning)
    return warnings


def _row(role: str, model_id: str, factory: ProviderFactory) -> ConfiguredModel:
    provider = model_id.partition(":")[0]
    info = factory.catalogue.get(model_id)
    status = info.status(factory.today()) if info is not None else "unknown"
    setting = KEY_SETTINGS.get(provider)
    missing = setting if setting and not factory.settings.vendor(provider).api_key else None
    return ConfiguredModel(role, model_id, info, status, missing)


def _line(row: ConfiguredModel, today: date, action: str) -> str:
    assert row.info is not None
    return f"{row.info.lifecycle_note(today)} [{row.role}: {action}]"


def _key_line(row: ConfiguredModel, action: str) -> str:
    """The retirement lines' format, for a missing key: what, why, then [role: action]."""
    return f"{row.model_id}: {row.key_missing} is not set [{action}]"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
