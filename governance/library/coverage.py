"""How well the library's controls cover each framework: the reviewer's table and the CI targets.

An item of a framework is, in this order of precedence:

- **covered**: at least one control maps to it;
- **out of scope**: the framework data says why no control of an AI-system checklist can address
  it (`out_of_scope` on the item, e.g. an article addressed to the authorities);
- **covered through sub-items**: a grouping item (a NIST function or category, an ISO objective,
  an ATLAS tactic or parent technique) that no control names directly but one of whose
  descendants is covered;
- **uncovered**: none of the above.

`statuses()` decides this for any list of items, so the crosswalk page and `manage.py
library_coverage` agree. `report()` works on a library document (the built-in files), not on the
database, so CI checks it without loading anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

COVERED, SUB_ITEMS, OUT_OF_SCOPE, UNCOVERED = "covered", "sub_items", "out_of_scope", "uncovered"
STATUS_LABELS = {
    COVERED: "covered",
    SUB_ITEMS: "covered through sub-items",
    OUT_OF_SCOPE: "out of scope",
    UNCOVERED: "uncovered",
}
ATLAS_KEY = "mitre-atlas-5.6"
ATLAS_LINKS = Path(__file__).resolve().parent / "reference" / f"{ATLAS_KEY}-mitigates.yaml"

# The targets of issue 14. `complete`: frameworks (optionally only items of some kinds) where no
# item may be uncovered. The others are minimums.
TARGETS: dict[str, Any] = {
    "complete": {
        "nist-ai-rmf-1.0": None,
        "nist-ai-600-1": None,
        "iso-42001-2023": None,
        "eu-ai-act-2024": None,
        "owasp-llm-2025": None,
        "owasp-llm-2026": None,
        "owasp-asi-2026": None,
        ATLAS_KEY: ("mitigation",),
    },
    "atlas_technique_reachability": 0.70,
    "controls": 160,
    "threats": 70,
    "mappings_per_control": 2,
}


@dataclass(frozen=True)
class ItemRow:
    ref: str
    title: str
    kind: str
    parent: str
    out_of_scope: str
    note: str
    controls: tuple[str, ...]
    status: str


@dataclass
class FrameworkCoverage:
    key: str
    name: str
    rows: list[ItemRow]

    def count(self, status: str, kinds: Iterable[str] | None = None) -> int:
        return sum(1 for row in self.rows if row.status == status and (kinds is None or row.kind in kinds))

    def uncovered(self, kinds: Iterable[str] | None = None) -> list[ItemRow]:
        return [row for row in self.rows if row.status == UNCOVERED and (kinds is None or row.kind in kinds)]


@dataclass
class Report:
    frameworks: list[FrameworkCoverage]
    controls: int
    threats: int
    reachable: list[str] = field(default_factory=list)
    techniques: int = 0
    through: dict[str, list[str]] = field(default_factory=dict)  # technique -> covered mitigations

    @property
    def reachability(self) -> float:
        return len(self.reachable) / self.techniques if self.techniques else 0.0

    def shortfalls(self, targets: dict = TARGETS) -> list[str]:
        """Every target the library misses, as a sentence; empty when all are met."""
        problems = []
        by_key = {fw.key: fw for fw in self.frameworks}
        for key, kinds in targets["complete"].items():
            if key not in by_key:
                problems.append(f"{key}: framework missing from the library")
                continue
            for row in by_key[key].uncovered(kinds):
                problems.append(f"{key}:{row.ref}: no control covers it and it is not marked out of scope")
        if self.reachability < targets["atlas_technique_reachability"]:
            problems.append(
                f"{ATLAS_KEY}: {self.reachability:.0%} of techniques reachable from a control, "
                f"below {targets['atlas_technique_reachability']:.0%}"
            )
        if self.controls < targets["controls"]:
            problems.append(f"{self.controls} controls, below {targets['controls']}")
        if self.threats < targets["threats"]:
            problems.append(f"{self.threats} threats, below {targets['threats']}")
        return problems


def statuses(items: Iterable[tuple[str, str, bool, str]]) -> dict[str, str]:
    """Status per ref of (ref, parent ref, has a covering control, out-of-scope reason) items."""
    items = list(items)
    children = defaultdict(list)
    for ref, parent, _covered, _reason in items:
        if parent:
            children[parent].append(ref)
    direct = {ref: covered for ref, _parent, covered, _reason in items}

    def descendant_covered(ref: str, seen: frozenset = frozenset()) -> bool:
        return any(
            direct.get(child) or (child not in seen and descendant_covered(child, seen | {ref}))
            for child in children.get(ref, ())
        )

    result = {}
    for ref, _parent, covered, reason in items:
        if covered:
            result[ref] = COVERED
        elif reason:
            result[ref] = OUT_OF_SCOPE
        elif descendant_covered(ref):
            result[ref] = SUB_ITEMS
        else:
            result[ref] = UNCOVERED
    return result


def atlas_links(path: Path = ATLAS_LINKS) -> dict[str, list[str]]:
    """ATLAS mitigation id -> the technique ids it addresses (from the shipped reference file)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["mitigates"]


def report(document: dict, links: dict[str, list[str]] | None = None) -> Report:
    """Coverage of every framework in a library document by the document's own controls."""
    mapped = defaultdict(list)
    for control in document.get("controls") or []:
        for mapping in control.get("mappings") or []:
            mapped[mapping].append(control["ref"])
    frameworks = []
    for fw in sorted(document.get("frameworks") or [], key=lambda fw: fw["key"]):
        key, items = fw["key"], fw["items"]
        status = statuses(
            (i["ref"], i.get("parent") or "", bool(mapped.get(f"{key}:{i['ref']}")), i.get("out_of_scope") or "")
            for i in items
        )
        rows = [
            ItemRow(
                ref=i["ref"],
                title=" ".join(str(i["title"]).split()),
                kind=i.get("kind") or "",
                parent=i.get("parent") or "",
                out_of_scope=i.get("out_of_scope") or "",
                note=i.get("note") or "",
                controls=tuple(sorted(mapped.get(f"{key}:{i['ref']}", ()))),
                status=status[i["ref"]],
            )
            for i in items
        ]
        frameworks.append(FrameworkCoverage(key=key, name=fw["name"], rows=rows))
    result = Report(
        frameworks=frameworks, controls=len(document.get("controls") or []), threats=len(document.get("threats") or [])
    )
    atlas = next((fw for fw in frameworks if fw.key == ATLAS_KEY), None)
    if atlas is not None:
        links = atlas_links() if links is None else links
        techniques = [row.ref for row in atlas.rows if row.kind in ("technique", "sub-technique")]
        covered = {row.ref for row in atlas.rows if row.controls}
        through = defaultdict(list)
        for mitigation, targets in sorted(links.items()):
            if mitigation in covered:
                for technique in targets:
                    through[technique].append(mitigation)
        result.techniques = len(techniques)
        result.reachable = [t for t in techniques if t in covered or t in through]
        result.through = dict(through)
    return result


# --- the reviewer's table -------------------------------------------------------------------------


def _cell(text: str, limit: int = 110) -> str:
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return text.replace("|", "\\|")


def markdown(result: Report) -> str:
    """`docs/library-coverage.md`: a summary, then per framework every item with its controls."""
    out = [
        "# Library coverage",
        "",
        "Generated by `manage.py library_coverage` from the built-in library (`governance/library/builtin/`);",
        "do not edit by hand. `manage.py library_coverage --check` (run in CI) fails when a target below",
        "is missed or this file is out of date.",
        "",
        "An item is *covered* when at least one control maps to it, *covered through sub-items* when it",
        "groups items of which at least one is covered, and *out of scope* when the framework data says why",
        "no control of an AI-system checklist can address it. Item titles come from the framework files and",
        "carry their licences (see `governance/library/builtin/frameworks/LICENSES/NOTICE.md`; OWASP titles",
        "© OWASP GenAI Security Project contributors, CC BY-SA 4.0; MITRE ATLAS names © MITRE, Apache-2.0);",
        "NIST AI RMF statements are shortened here.",
        "",
        f"- Controls: **{result.controls}** (target ≥ {TARGETS['controls']}); threats: **{result.threats}** "
        f"(target ≥ {TARGETS['threats']}).",
        f"- MITRE ATLAS techniques reachable from a control, directly or through a mitigation a control "
        f"expresses: **{len(result.reachable)} of {result.techniques} ({result.reachability:.1%})** "
        f"(target ≥ {TARGETS['atlas_technique_reachability']:.0%}).",
        "",
        "| Framework | Items | Covered | Through sub-items | Out of scope | Uncovered | Must have none uncovered |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for fw in result.frameworks:
        kinds = TARGETS["complete"].get(fw.key, "n/a")
        must = "all items" if kinds is None else ("no" if kinds == "n/a" else ", ".join(f"{k}s" for k in kinds))
        out.append(
            f"| `{fw.key}` | {len(fw.rows)} | {fw.count(COVERED)} | {fw.count(SUB_ITEMS)} | "
            f"{fw.count(OUT_OF_SCOPE)} | {fw.count(UNCOVERED)} | {must} |"
        )
    for fw in result.frameworks:
        out += ["", f"## {fw.name} (`{fw.key}`)", ""]
        scoped = [row for row in fw.rows if row.status == OUT_OF_SCOPE]
        if scoped:
            out += ["Out of scope:", ""]
            out += [f"- `{row.ref}` {_cell(row.title)}: {row.out_of_scope}" for row in scoped]
            out.append("")
        noted = [row for row in fw.rows if row.note]
        if noted:
            out += ["Notes:", ""]
            out += [f"- `{row.ref}` {_cell(row.title)}: {row.note}" for row in noted]
            out.append("")
        uncovered = fw.uncovered()
        if fw.key == ATLAS_KEY:
            reachable = [row for row in uncovered if row.ref in result.through]
            out.append(
                f"{len(reachable)} of the {len(uncovered)} uncovered items are techniques a control reaches through "
                "a mitigation; the table names the mitigations."
            )
            out.append("")
        if uncovered:
            out.append(f"Uncovered: {', '.join(f'`{row.ref}`' for row in uncovered)}.")
        else:
            out.append("Uncovered: none.")
        out += ["", "| Item | Kind | Title | Status | Controls |", "|---|---|---|---|---|"]
        for row in fw.rows:
            controls = ", ".join(row.controls) if row.controls else "—"
            if not row.controls and row.ref in result.through and fw.key == ATLAS_KEY:
                controls = "through " + ", ".join(result.through[row.ref])
            out.append(f"| `{row.ref}` | {row.kind} | {_cell(row.title)} | {STATUS_LABELS[row.status]} | {controls} |")
    return "\n".join(out) + "\n"
