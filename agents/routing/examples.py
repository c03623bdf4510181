"""A business's routing examples: utterances per agent, read from ``routing.yml``.

The file lives in the business folder (``BUSINESS_DIR``) next to ``business.yml``::

    default_agent: knowledge
    team_channels: [slack]
    agents:
      lead_nurturing:
        - how much do you charge
      human:
        - can I speak to a person
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agents.errors import AgentError

ROUTING_FILE = "routing.yml"


class RoutingConfigError(AgentError):
    """``routing.yml`` is missing parts or is not what the router expects."""


@dataclass(frozen=True)
class RoutingExamples:
    """Example utterances per route, the default agent and the team channels."""

    examples: dict[str, list[str]]
    default_agent: str = "knowledge"
    team_channels: frozenset[str] = field(default_factory=lambda: frozenset({"slack"}))

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
        return cls.from_file(path) if path.is_file() else None
