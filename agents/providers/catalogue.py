"""The model catalogue: prices, context, retirement and capabilities, as data.

Vendors retire models every few months and change what they accept, so none
of it is code: `agents/providers/models.yml` ships with the package (each entry
with its source page and the date it was read) and an operator's
``MODELS_FILE`` adds or overrides entries, field by field. `ModelCatalogue`
answers "what does this model cost", "what does it accept", "is it retired
today, and what replaces it", and "which model does a vendor default to".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agents.errors import AgentError

BUNDLED = Path(__file__).with_name("models.yml")
#: A model that retires within this many days gets one warning at start.
RETIRING_SOON_DAYS = 30


class CatalogueError(AgentError):
    """The catalogue file (ours or ``MODELS_FILE``) cannot be read."""


@dataclass(frozen=True, slots=True)
class PriceTier:
    """Prices of a whole request whose prompt exceeds ``above_input_tokens``."""

    above_input_tokens: int
    input: float
    output: float
    cached_input: float | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a model accepts; unknown models accept everything (the old behaviour)."""

    temperature: bool = True
    logprobs: bool = True
    structured_output: str | None = None  # json_schema, json_object, tool
    reasoning: tuple[str, ...] = ()  # the efforts it accepts; empty: no reasoning knob
    chat_effort: str | None = None  # the effort a chat turn asks for

    def effort(self, wanted: str | None) -> str | None:
        """The effort to send: ``wanted`` if accepted, else the chat effort, else none."""
        if not self.reasoning:
            return None
        if wanted in self.reasoning:
            return wanted
        return self.chat_effort if self.chat_effort in self.reasoning else None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One catalogue entry (``provider:model``)."""

    model_id: str
    input: float | None = None
    output: float | None = None
    cached_input: float | None = None
    tiers: tuple[PriceTier, ...] = ()
    context_window: int | None = None
    retires_on: date | None = None
    replacement: str | None = None
    accepts: Capabilities = field(default_factory=Capabilities)
    source: str | None = None
    read_on: date | None = None
    notes: str | None = None

    @property
    def priced(self) -> bool:
        """Whether both the input and output prices are known."""
        return self.input is not None and self.output is not None

    def status(self, today: date) -> str:
        """``retired``, ``retiring`` (within 30 days) or ``active``."""
        if self.retires_on is None:
            return "active"
        if self.retires_on <= today:
            return "retired"
        soon = self.retires_on - today <= timedelta(days=RETIRING_SOON_DAYS)
        return "retiring" if soon else "active"

    def lifecycle_note(self, today: date) -> str:
        """One line: when it retires (or retired) and what replaces it."""
        status = self.status(today)
        verb = "retired" if status == "retired" else "retires"
        line = f"{self.model_id} {verb} on {self.retires_on}"
        if status == "retiring" and self.retires_on is not None:
            line += f" (in {(self.retires_on - today).days} days)"
        return line + (f"; use {self.replacement}" if self.replacement else "")


class ModelCatalogue:
    """Entries by ``provider:model``, vendor defaults, and the hybrid teacher's default."""

    def __init__(
        self,
        models: dict[str, ModelInfo] | None = None,
        *,
        defaults: dict[str, str] | None = None,
        teacher: str | None = None,
    ) -> None:
        self.models = dict(models or {})
        self.defaults = dict(defaults or {})
        self.teacher = teacher

    @classmethod
    def load(cls, *extra: Path | None) -> ModelCatalogue:
        """The bundled catalogue, then each file in ``extra`` merged over it."""
        raw = _read(BUNDLED)
        for path in extra:
            if path is not None:
                raw = _merge(raw, _read(path))
        try:
            models = {key: _entry(key, value) for key, value in raw.get("models", {}).items()}
        except (TypeError, ValueError) as exc:
            raise CatalogueError(f"model catalogue: {exc}") from None
        return cls(models, defaults=raw.get("defaults", {}), teacher=raw.get("teacher"))

    def get(self, model_id: str) -> ModelInfo | None:
        """The entry of ``model_id``; a dated snapshot finds its model's entry.

        ``gpt-4o-mini-2024-07-18`` is ``gpt-4o-mini`` (the longest matching prefix).
        """
        if model_id in self.models:
            return self.models[model_id]
        matches = [key for key in self.models if model_id.startswith(key + "-")]
        return self.models[max(matches, key=len)] if matches else None

    def accepts(self, model_id: str) -> Capabilities:
        """What ``model_id`` accepts (everything, for a model the catalogue lacks)."""
        info = self.get(model_id)
        return info.accepts if info is not None else Capabilities()

    def retired(self, model_id: str, today: date) -> ModelInfo | None:
        """The entry of ``model_id`` if it is retired on ``today``, else None."""
        info = self.get(model_id)
        return info if info is not None and info.status(today) == "retired" else None

    def default_model(self, provider: str) -> str | None:
        """The model ``provider`` uses when none is named."""
        return self.defaults.get(provider)


@lru_cache(maxsize=8)
def load_catalogue(models_file: Path | None = None) -> ModelCatalogue:
    """The catalogue with ``MODELS_FILE`` over it, read once per file."""
    return ModelCatalogue.load(models_file)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read the model catalogue {path}: {exc}") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping with 'models:'")
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, "defaults": {**base.get("defaults", {}), **over.get("defaults", {})}}
    if over.get("teacher"):
        merged["teacher"] = over["teacher"]
    models = {key: dict(value) for key, value in base.get("models", {}).items()}
    for key, value in (over.get("models") or {}).items():
        models[key] = {**models.get(key, {}), **(value or {})}
    merged["models"] = models
    return merged


def _entry(model_id: str, raw: dict[str, Any]) -> ModelInfo:
    if ":" not in model_id:
        raise ValueError(f"{model_id!r} is not a provider:model id")
    accepts = dict(raw.get("accepts") or {})
    accepts["reasoning"] = tuple(accepts.get("reasoning") or ())
    tiers = tuple(PriceTier(**tier) for tier in raw.get("tiers") or ())
    return ModelInfo(
        model_id=model_id,
        input=raw.get("input"),
        output=raw.get("output"),
        cached_input=raw.get("cached_input"),
        tiers=tiers,
        context_window=raw.get("context_window"),
        retires_on=_date(raw.get("retires_on")),
        replacement=raw.get("replacement"),
        accepts=Capabilities(**accepts),
        source=raw.get("source"),
        read_on=_date(raw.get("read_on")),
        notes=raw.get("notes"),
    )


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
