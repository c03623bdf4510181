"""A business's routing examples: utterances per agent, read from ``routing.yml``.

The file lives in the business folder (``BUSINESS_DIR``) next to ``business.yml``::

    default_agent: knowledge
    team_channels: [slack]
    agents:
      lead_nurturing:
        - how much do you charge
      human:
        - can I speak to a person

Beside it, ``routing-labelled.jsonl`` may hold real messages with the route a person
gave them, one JSON object per line (``{"text": ..., "agent": ...}``, the form
``bot route`` prints and ``bench/routing.py`` reads); they are examples too. Labelled
traffic is what raised routing on fresh messages once hand-written examples stopped
paying (docs/routing.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from agents.errors import AgentError

ROUTING_FILE = "routing.yml"
LABELLED_FILE = "routing-labelled.jsonl"
#: Where a business ships its examples' sentence vectors (``bot route --save-vectors``).
VECTORS_DIR = "routing-vectors"


class RoutingConfigError(AgentError):
    """``routing.yml`` is missing parts or is not what the router expects."""


@dataclass(frozen=True)
class RoutingExamples:
    """Example utterances per route, the default agent and the team channels."""

    examples: dict[str, list[str]]
    default_agent: str = "knowledge"
    team_channels: frozenset[str] = field(default_factory=lambda: frozenset({"slack"}))
    #: The business folder they were read from (where shipped vectors are looked for).
    folder: Path | None = field(default=None, compare=False)

    @property
    def agents(self) -> list[str]:
        """Every route the examples name (the four agents and ``human``)."""
        return list(self.examples)

    def pairs(self) -> list[tuple[str, str]]:
        """``(agent, utterance)`` for every example, in file order."""
        return [(agent, text) for agent, texts in self.examples.items() for text in texts]

    def fingerprint(self) -> str:
        """A hash of the utterances: the key of their cached sentence vectors."""
        blob = json.dumps(self.pairs(), ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def shipped_vectors(self, model_key: str) -> Path | None:
        """Where the business folder keeps these examples' vectors for ``model_key``."""
        if self.folder is None:
            return None
        return self.folder / VECTORS_DIR / f"{model_key}-{self.fingerprint()}.npy"

    def with_labelled(self, path: Path) -> RoutingExamples:
        """These examples plus the labelled messages of the JSONL file at ``path``."""
        examples = {agent: list(texts) for agent, texts in self.examples.items()}
        known = {text for _, text in self.pairs()}
        for number, row in _labelled_rows(path):
            text, agent = row.get("text"), row.get("agent")
            if not isinstance(text, str) or not isinstance(agent, str):
                raise RoutingConfigError(f"{path}:{number}: needs a 'text' and an 'agent'")
            if agent not in examples:
                raise RoutingConfigError(
                    f"{path}:{number}: agent {agent!r} is not one of {', '.join(examples)}"
                )
            text = text.strip()
            if text and text not in known:
                known.add(text)
                examples[agent].append(text)
        return replace(self, examples=examples)

    @classmethod
    def from_file(cls, path: Path) -> RoutingExamples:
        """Read and check ``routing.yml``."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise RoutingConfigError(f"cannot read {path}: {exc}") from exc
        agents = data.get("agents")
        if not isinstance(agents, dict) or not agents:
            raise RoutingConfigError(f"{path}: 'agents' must map each agent to its examples")
        examples: dict[str, list[str]] = {}
        for agent, texts in agents.items():
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise RoutingConfigError(f"{path}: agents.{agent} must be a list of strings")
            cleaned = [t.strip() for t in texts if t.strip()]
            if not cleaned:
                raise RoutingConfigError(f"{path}: agents.{agent} has no examples")
            examples[str(agent)] = cleaned
        default = str(data.get("default_agent", "knowledge"))
        if default not in examples:
            raise RoutingConfigError(f"{path}: default_agent {default!r} has no examples")
        team = data.get("team_channels", ["slack"])
        return cls(examples, default_agent=default, team_channels=frozenset(map(str, team)))

    @classmethod
    def from_folder(cls, folder: Path) -> RoutingExamples | None:
        """The business folder's ``routing.yml``, or None when it has none."""
        path = folder / ROUTING_FILE
        if not path.is_file():
            return None
        examples = replace(cls.from_file(path), folder=folder)
        labelled = folder / LABELLED_FILE
        return examples.with_labelled(labelled) if labelled.is_file() else examples


def _labelled_rows(path: Path) -> list[tuple[int, dict]]:
    """``(line number, object)`` for each non-blank line of a labelled JSONL file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RoutingConfigError(f"cannot read {path}: {exc}") from exc
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RoutingConfigError(f"{path}:{number}: not JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise RoutingConfigError(f"{path}:{number}: must be a JSON object")
        rows.append((number, row))
    return rows
