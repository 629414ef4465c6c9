"""Playbook templates (response/templates_data.yaml): loaded once, checked, and matched against
AI-system profiles with the library's applicability evaluator (governance.applicability)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from core.choices import Domain
from governance.applicability import Rule, describe, evaluate, validate

DATA = Path(__file__).with_name("templates_data.yaml")


@dataclass(frozen=True)
class PlaybookTemplate:
    key: str
    title: str
    domain: str
    applies_when: Rule
    detection: str
    technical_steps: tuple[str, ...]
    communication_steps: tuple[str, ...]

    def fits(self, system) -> bool:
        return evaluate(self.applies_when, system.profile()).applies

    @property
    def rule_text(self) -> str:
        return describe(self.applies_when)

    def playbook_data(self) -> dict[str, str]:
        """The fields of a new Playbook started from this template."""
        return {
            "template_key": self.key,
            "title": self.title,
            "domain": self.domain,
            "detection": self.detection,
            "technical_steps": "\n".join(self.technical_steps),
            "communication_steps": "\n".join(self.communication_steps),
        }


def parse(document: object) -> list[PlaybookTemplate]:
    """Check a templates document and build the templates; ValueError names the first problem."""
    if not isinstance(document, list) or not document:
        raise ValueError("expected a non-empty list of templates")
    found: list[PlaybookTemplate] = []
    for i, item in enumerate(document):
        where = f"template {i + 1}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected a mapping")
        missing = {"key", "title", "domain", "applies_when", "technical_steps", "communication_steps"} - set(item)
        if missing:
            raise ValueError(f"{where}: missing {', '.join(sorted(missing))}")
        if item["domain"] not in Domain.values:
            raise ValueError(f"{where}: unknown domain {item['domain']!r}")
        validate(item["applies_when"], f"{where}.applies_when")
        for name in ("technical_steps", "communication_steps"):
            if not isinstance(item[name], list) or not all(isinstance(s, str) and s.strip() for s in item[name]):
                raise ValueError(f"{where}.{name}: expected a non-empty list of steps")
            if not item[name]:
                raise ValueError(f"{where}.{name}: expected at least one step")
        found.append(
            PlaybookTemplate(
                key=str(item["key"]),
                title=str(item["title"]),
                domain=item["domain"],
                applies_when=item["applies_when"],
                detection=str(item.get("detection", "")).strip(),
                technical_steps=tuple(s.strip() for s in item["technical_steps"]),
                communication_steps=tuple(s.strip() for s in item["communication_steps"]),
            )
        )
    keys = [t.key for t in found]
    if len(set(keys)) != len(keys):
        raise ValueError("template keys must be unique")
    return found


@cache
def all_templates() -> tuple[PlaybookTemplate, ...]:
    with DATA.open(encoding="utf-8") as handle:
        return tuple(parse(yaml.safe_load(handle)))


def by_key() -> dict[str, PlaybookTemplate]:
    return {t.key: t for t in all_templates()}


def fitting(systems) -> list[PlaybookTemplate]:
    """The templates that fit at least one of `systems`, in file order."""
    systems = list(systems)
    return [t for t in all_templates() if any(t.fits(s) for s in systems)]
