"""Writing the library out in the exchange format (docs/library-format.md), canonically.

The output is deterministic: frameworks by key, their items in published order, controls,
threats and scenarios by ref, mappings in framework-key then published order. Optional fields
are left out when empty. So `export → import into an empty database → export` gives the same
bytes, and two exports can be compared with `diff`.

The export is the library as it stands: retired rows, and links to retired rows, are left out
(Bastion keeps them readable, but they are no longer part of the library).
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.db.models import Prefetch

from accounts.models import Organisation

from ..applicability import readable
from ..models import Control, Framework, FrameworkItem, Scenario, Threat
from .schema import FORMAT_VERSION

FORMATS = ("json", "yaml")


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if value not in ("", None, [])}


def _active(queryset):
    return queryset.filter(retired_at__isnull=True)


def _mapping_prefetch(name: str = "mappings") -> Prefetch:
    items = _active(FrameworkItem.objects.filter(framework__retired_at__isnull=True)).select_related("framework")
    return Prefetch(name, queryset=items.order_by("framework__key", "position", "ref"))


def _linked(name: str, model) -> Prefetch:
    return Prefetch(name, queryset=_active(model.objects.order_by("ref")))


UNREADABLE_RULE = "unreadable rule (too large or malformed): replace it"


def _canonical(rule: Any) -> Any:
    """A rule with its keys sorted: PostgreSQL's jsonb does not keep the order they were written in.

    A stored rule beyond the grammar's bounds (stored before they existed) is written as a note
    the import refuses, so the export still works and the author sees what to fix.
    """
    if not readable(rule):
        return UNREADABLE_RULE
    return _sorted(rule)


def _sorted(rule: Any) -> Any:
    if isinstance(rule, dict):
        return {key: _sorted(rule[key]) for key in sorted(rule)}
    if isinstance(rule, list):
        return [_sorted(part) for part in rule]
    return rule


def _refs(rows) -> list[str]:
    return [row.ref for row in rows]


def _mappings(rows) -> list[str]:
    return [f"{item.framework.key}:{item.ref}" for item in rows]


def export_document(organisation: Organisation | None = None) -> dict[str, Any]:
    """The built-in library, or with `organisation` that organisation's own content only."""
    frameworks = _active(Framework.objects.filter(organisation=organisation)).order_by("key")
    frameworks = frameworks.prefetch_related(
        Prefetch("items", queryset=_active(FrameworkItem.objects.select_related("parent")).order_by("position", "ref"))
    )
    controls = _active(Control.objects.filter(organisation=organisation)).order_by("ref")
    threats = _active(Threat.objects.filter(organisation=organisation)).order_by("ref")
    scenarios = _active(Scenario.objects.filter(organisation=organisation)).order_by("ref")
    return {
        "version": FORMAT_VERSION,
        "frameworks": [
            _compact(
                {
                    "key": fw.key,
                    "edition": fw.edition,
                    "name": fw.name,
                    "url": fw.url,
                    "licence": fw.licence,
                    "notice": fw.notice,
                    "items": [
                        _compact(
                            {
                                "ref": item.ref,
                                "title": item.title,
                                "kind": item.kind,
                                "parent": item.parent.ref if item.parent and not item.parent.retired_at else "",
                                "out_of_scope": item.out_of_scope,
                                "note": item.note,
                            }
                        )
                        for item in fw.items.all()
                    ],
                }
            )
            for fw in frameworks
        ],
        "controls": [
            _compact(
                {
                    "ref": c.ref,
                    "title": c.title,
                    "objective": c.objective,
                    "guidance": c.guidance,
                    "evidence_hint": c.evidence_hint,
                    "domain": c.domain,
                    "practice": c.practice,
                    "applies_when": _canonical(c.applies_when),
                    "review_cadence_days": c.review_cadence_days,
                    "mappings": _mappings(c.mappings.all()),
                    "concerns": c.concerns,
                }
            )
            for c in controls.prefetch_related(_mapping_prefetch())
        ],
        "threats": [
            _compact(
                {
                    "ref": t.ref,
                    "title": t.title,
                    "description": t.description,
                    "domain": t.domain,
                    "surface": t.surface,
                    "mappings": _mappings(t.mappings.all()),
                    "controls": _refs(t.controls.all()),
                    "concerns": t.concerns,
                }
            )
            for t in threats.prefetch_related(_mapping_prefetch(), _linked("controls", Control))
        ],
        "scenarios": [
            _compact(
                {
                    "ref": s.ref,
                    "title": s.title,
                    "description": s.description,
                    "hostile_intent": s.hostile_intent,
                    "harm_in_benign_use": s.harm_in_benign_use,
                    "expected_domain": s.expected_domain,
                    "rationale": s.rationale,
                    "threats": _refs(s.threats.all()),
                    "controls": _refs(s.controls.all()),
                    "mappings": _mappings(s.mappings.all()),
                }
            )
            for s in scenarios.prefetch_related(
                _mapping_prefetch(), _linked("controls", Control), _linked("threats", Threat)
            )
        ],
    }


# libyaml's emitter when PyYAML was built with it (its wheels are): the same text, several times faster.
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):  # type: ignore[misc,valid-type]
    """Never writes anchors and aliases: the import refuses them (documents.py)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(document: dict[str, Any], fmt: str) -> str:
    """Serialise a document: stable key order, UTF-8 text, a final newline."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")


def export_library(organisation: Organisation | None = None, fmt: str = "yaml") -> str:
    return dump(export_document(organisation), fmt)
