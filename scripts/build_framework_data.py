#!/usr/bin/env python3
"""Build Bastion's built-in framework files from the reference data in ``shared/data``.

Usage::

    python scripts/build_framework_data.py [DATA_DIR] [--out OUT_DIR]

DATA_DIR defaults to ``../shared/data`` next to the repository. The script writes one file per
framework to ``governance/library/builtin/frameworks/<key>.yaml`` in the library format of
``docs/library-format.md`` (``version: 1`` and a ``frameworks`` list of one framework), and copies
the MITRE ATLAS licence files into ``frameworks/LICENSES/``. It needs PyYAML and nothing else.

What ships, per the notices in the data folders: OWASP ids and titles (CC BY-SA 4.0, with
attribution); MITRE ATLAS tactics, techniques and mitigations, ids and names only (Apache-2.0,
marked as modified); NIST statement text (public domain); EU AI Act numbers, titles and Annex III
headings (EUR-Lex, with acknowledgement); ISO/IEC 42001 Annex A ids only, with labels written by
this project (the ISO titles are not ours to ship).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "governance" / "library" / "builtin" / "frameworks"

OWASP_NOTICE = (
    '"{title}", © OWASP GenAI Security Project contributors, https://genai.owasp.org, licensed '
    "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). Changes: only the entry ids "
    "and titles are used, extracted into Bastion's library format by the Bastion project; this "
    "framework file is shared under the same licence."
)

ATLAS_NOTICE = (
    "MITRE ATLAS data version {version}, Copyright 2021-2025 MITRE, licensed under the Apache "
    "License, Version 2.0 (see LICENSES/ next to this file). Modified by the Bastion project: "
    "tactic, technique, sub-technique and mitigation ids and names extracted from ATLAS.yaml into "
    "Bastion's library format; descriptions omitted. MITRE and ATLAS are named only to identify "
    "the source; no endorsement is implied."
)

NIST_RMF_NOTICE = (
    "Statement text from NIST AI 100-1, Artificial Intelligence Risk Management Framework "
    "(AI RMF 1.0), January 2023, https://doi.org/10.6028/NIST.AI.100-1. Work of the U.S. "
    "Government, not subject to copyright in the United States. Cite as NIST AI 100-1, <id>."
)

NIST_600_NOTICE = (
    "Risk titles from NIST AI 600-1, Artificial Intelligence Risk Management Framework: "
    "Generative Artificial Intelligence Profile, July 2024, https://doi.org/10.6028/NIST.AI.600-1. "
    "Work of the U.S. Government, not subject to copyright in the United States. The refs are "
    "slugs chosen by the Bastion project; NIST numbers the risks 1-12."
)

ISO_NOTICE = (
    "ISO/IEC 42001:2023 is copyright ISO/IEC; the standard is sold by ISO and national standards "
    "bodies. Only the Annex A identifiers are used here. The labels are short descriptions "
    "written by the Bastion project in its own words; they are not the titles or text of the "
    "standard. Obtain the standard for its official titles and requirements."
)

EU_NOTICE = (
    "Regulation (EU) 2024/1689 — source: EUR-Lex, © European Union, 1998–2026. Only the text "
    "published in the Official Journal is authentic. Article numbers and titles and the Annex III "
    "headings are as published in OJ L, 2024/1689, 12.7.2024 (not consolidated: amendments by "
    "Regulation (EU) 2026/1744 are not reflected). Tier labels are Bastion's own summaries."
)

# ISO/IEC 42001 Annex A: labels written for Bastion. They describe the topic area of each id in our
# own words and deliberately do not reproduce the standard's titles.
ISO_LABELS = {
    "A.2": "Organisational direction for AI",
    "A.2.2": "Written organisation-wide rules for building and using AI",
    "A.2.3": "Fit between the AI rules and other internal policies",
    "A.2.4": "Scheduled re-examination of the AI rules",
    "A.3": "Accountability for AI inside the organisation",
    "A.3.2": "Named duties and accountabilities for AI work",
    "A.3.3": "Channel for staff to raise AI worries",
    "A.4": "What AI systems depend on",
    "A.4.2": "Record of everything an AI system relies on",
    "A.4.3": "Record of the data an AI system uses",
    "A.4.4": "Record of the software tools used to build AI",
    "A.4.5": "Record of compute and hosting for AI",
    "A.4.6": "Record of the people and skills behind AI",
    "A.5": "Weighing the consequences of AI systems",
    "A.5.2": "Method for weighing an AI system's consequences",
    "A.5.3": "Kept records of consequence assessments",
    "A.5.4": "Effects on individual people and groups",
    "A.5.5": "Effects on society at large",
    "A.6": "Building and running AI systems",
    "A.6.1": "Steering responsible engineering of AI",
    "A.6.1.2": "Aims that steer responsible engineering",
    "A.6.1.3": "Defined engineering process for responsible AI",
    "A.6.2": "Stages from specification to operation",
    "A.6.2.2": "Stating what the AI system must and must not do",
    "A.6.2.3": "Design and build records",
    "A.6.2.4": "Testing and acceptance before use",
    "A.6.2.5": "Release and roll-out",
    "A.6.2.6": "Running and watching the system in service",
    "A.6.2.7": "Technical file for the AI system",
    "A.6.2.8": "Event logging by the AI system",
    "A.7": "Governing the data AI relies on",
    "A.7.2": "Data for building and improving AI",
    "A.7.3": "Sourcing and obtaining data",
    "A.7.4": "Fitness and quality of data",
    "A.7.5": "Origin and lineage of data",
    "A.7.6": "Cleaning and preparing data",
    "A.8": "Informing people with a stake in the system",
    "A.8.2": "What users are told about the system",
    "A.8.3": "Reporting to outside parties",
    "A.8.4": "Telling stakeholders about incidents",
    "A.8.5": "Information owed to other stakeholders",
    "A.9": "Operating AI in practice",
    "A.9.2": "Operating rules for day-to-day AI use",
    "A.9.3": "What responsible operation should achieve",
    "A.9.4": "Keeping use within the intended purpose",
    "A.10": "Working with outside parties",
    "A.10.2": "Who does what across the value chain",
    "A.10.3": "Managing AI suppliers",
    "A.10.4": "Duties towards customers",
}

EU_TIERS = [
    ("Tier.prohibited", "Prohibited practice: may not be placed on the market or used"),
    ("Tier.high", "High-risk system: full requirements and conformity assessment"),
    ("Tier.limited", "Transparency tier: people must be told they deal with AI"),
    ("Tier.minimal", "Minimal risk: no specific duties beyond voluntary codes"),
    ("Tier.gpai", "General-purpose AI model: provider documentation duties"),
    ("Tier.gpai-systemic", "General-purpose AI model with systemic risk: added evaluation and safety duties"),
]
EU_ARTICLES = [4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 26, 27, 43, 49, 50, 53, 55]
EU_ARTICLES += [64, 70, 71, 72, 73, 74, 86, 99]

# Items no control of an AI-system checklist can address, with the reason (our own words). The
# crosswalk and `manage.py library_coverage` show them as "out of scope" instead of "uncovered".
OUT_OF_SCOPE = {
    "eu-ai-act-2024": {
        "Art.64": "Sets up the AI Office inside the Commission; it places no duty on providers or deployers.",
        "Art.70": "Addressed to Member States, which designate their competent authorities.",
        "Art.71": "The Commission builds and runs the EU database; the registration duty itself is Art. 49.",
        "Art.74": "Powers and duties of market surveillance authorities, not of providers or deployers.",
        "Art.99": "Member States lay down the penalties; operators have no duty to act under this article.",
    },
}

# Reviewer's notes on items whose id changed in later editions of the source.
NOTES = {
    "mitre-atlas-5.6": {
        "AML.T0019": "Folded into AML.T0115.000 (Publish Poisoned AI Artifacts: Datasets) in the monthly "
        "ATLAS releases from 2026.07; kept here because the data is version 5.6.0.",
        "AML.T0058": "Folded into AML.T0115.001 (Publish Poisoned AI Artifacts: Models) in the monthly "
        "ATLAS releases from 2026.07; kept here because the data is version 5.6.0.",
        "AML.T0104": "Folded into AML.T0115.002 (Publish Poisoned AI Artifacts: AI Agent Tools) in the "
        "monthly ATLAS releases from 2026.07; kept here because the data is version 5.6.0.",
    },
}
LINKS_OUT = REPO / "governance" / "library" / "reference"


def load(path: Path):
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def item(ref: str, title: str, kind: str, parent: str | None = None) -> dict:
    entry = {"ref": ref, "title": " ".join(str(title).split()), "kind": kind}
    if parent:
        entry["parent"] = parent
    return entry


def owasp(data: Path, filename: str, key: str, kind: str = "entry") -> dict:
    src = load(data / "owasp" / filename)
    return {
        "key": key,
        "edition": str(src["edition"]),
        "name": src["title"],
        "url": src["url"],
        "licence": "CC-BY-SA-4.0",
        "notice": OWASP_NOTICE.format(title=src["title"]),
        "items": [item(i["short_id"], i["title"], kind) for i in src["items"]],
    }


def atlas(data: Path) -> dict:
    src = load(data / "mitre-atlas" / "ATLAS.yaml")
    matrix = src["matrices"][0]
    items = [item(t["id"], t["name"], "tactic") for t in matrix["tactics"]]
    for t in sorted(matrix["techniques"], key=lambda t: t["id"]):
        parent = t.get("subtechnique-of")
        items.append(item(t["id"], t["name"], "sub-technique" if parent else "technique", parent))
    items += [item(m["id"], m["name"], "mitigation") for m in matrix["mitigations"]]
    version = str(src["version"])
    minor = ".".join(version.split(".")[:2])
    return {
        "key": f"mitre-atlas-{minor}",
        "edition": version,
        "name": f"MITRE ATLAS ({src['name']})",
        "url": "https://atlas.mitre.org/",
        "licence": "Apache-2.0",
        "notice": ATLAS_NOTICE.format(version=version),
        "items": items,
    }


def nist_rmf(data: Path) -> dict:
    src = load(data / "nist-ai-rmf" / "ai-rmf-1.0.yaml")
    items = [item(f["id"], f"{f['title']}: {f['text']}", "function") for f in src["functions"]]
    items += [item(c["id"], c["text"], "category", c["function"]) for c in src["categories"]]
    items += [item(s["id"], s["text"], "subcategory", s["category"]) for s in src["subcategories"]]
    return {
        "key": "nist-ai-rmf-1.0",
        "edition": str(src["edition"]),
        "name": src["title"],
        "url": src["doi"],
        "licence": "public-domain",
        "notice": NIST_RMF_NOTICE,
        "items": items,
    }


def nist_600(data: Path) -> dict:
    src = load(data / "nist-ai-600-1" / "risks.yaml")
    return {
        "key": "nist-ai-600-1",
        "edition": "2024-07",
        "name": f"NIST AI 600-1: {src['title']}",
        "url": src["doi"],
        "licence": "public-domain",
        "notice": NIST_600_NOTICE,
        "items": [item(r["id"], r["title"], "risk") for r in src["risks"]],
    }


def iso_42001(data: Path) -> dict:
    src = load(data / "iso-42001" / "annex-a-ids.yaml")
    items: list[dict] = []

    def add_controls(parent: str, controls: list[str]) -> None:
        items.extend(item(c, ISO_LABELS[c], "control", parent) for c in controls)

    for objective in src["objectives"]:
        items.append(item(objective["id"], ISO_LABELS[objective["id"]], "objective"))
        add_controls(objective["id"], objective.get("controls", []))
        for sub in objective.get("sub_objectives", []):
            items.append(item(sub["id"], ISO_LABELS[sub["id"]], "objective", objective["id"]))
            add_controls(sub["id"], sub["controls"])
    return {
        "key": "iso-42001-2023",
        "edition": "2023",
        "name": "ISO/IEC 42001:2023 Information technology — Artificial intelligence — Management system",
        "url": "https://www.iso.org/standard/81230.html",
        "licence": "ids-only",
        "notice": ISO_NOTICE,
        "items": items,
    }


def eu_ai_act(data: Path) -> dict:
    src = load(data / "eu-ai-act" / "articles.yaml")
    items = [item(ref, title, "tier") for ref, title in EU_TIERS]
    articles = {a["number"]: a for a in src["articles"]}
    items += [item(f"Art.{n}", articles[n]["title"], "article") for n in EU_ARTICLES]
    annex = next(a for a in src["annexes"] if a["id"] == "Annex III")
    items.append(item("AnnexIII", annex["title"], "entry"))
    items += [item(f"AnnexIII.{a['point']}", a["heading"], "category", "AnnexIII") for a in src["annex_iii_areas"]]
    return {
        "key": "eu-ai-act-2024",
        "edition": "2024/1689",
        "name": "Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
        "url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "licence": "LicenseRef-EUR-Lex-reuse",
        "notice": EU_NOTICE,
        "items": items,
    }


class LibraryDumper(yaml.SafeDumper):
    """Block style, indented lists, long strings folded, so the files stay readable."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = ">" if len(value) > 90 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


LibraryDumper.add_representer(str, _represent_str)


def annotate(framework: dict) -> dict:
    """Add the out-of-scope reasons and reviewer's notes kept above to the framework's items."""
    scope, notes = OUT_OF_SCOPE.get(framework["key"], {}), NOTES.get(framework["key"], {})
    refs = {entry["ref"] for entry in framework["items"]}
    unknown = (scope.keys() | notes.keys()) - refs
    if unknown:
        raise SystemExit(f"{framework['key']}: annotations for unknown items {sorted(unknown)}")
    for entry in framework["items"]:
        if entry["ref"] in scope:
            entry["out_of_scope"] = scope[entry["ref"]]
        if entry["ref"] in notes:
            entry["note"] = notes[entry["ref"]]
    return framework


def atlas_links(data: Path, out: Path) -> Path:
    """Which techniques each ATLAS mitigation addresses (ids only), for the coverage report."""
    src = load(data / "mitre-atlas" / "ATLAS.yaml")
    minor = ".".join(str(src["version"]).split(".")[:2])
    links = {m["id"]: sorted({t["id"] for t in m.get("techniques", [])}) for m in src["matrices"][0]["mitigations"]}
    path = out / f"mitre-atlas-{minor}-mitigates.yaml"
    header = (
        "# Generated by scripts/build_framework_data.py; do not edit.\n"
        f"# MITRE ATLAS data version {src['version']}: the techniques each mitigation addresses, ids only.\n"
        "# Copyright 2021-2025 MITRE, Apache-2.0 (see builtin/frameworks/LICENSES/). Modified: the\n"
        "# mitigation-to-technique links of ATLAS.yaml extracted without their text.\n"
    )
    body = yaml.dump({"mitigates": links}, Dumper=LibraryDumper, sort_keys=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path


def write_framework(out: Path, framework: dict) -> Path:
    path = out / f"{framework['key']}.yaml"
    header = (
        "# Generated by scripts/build_framework_data.py from the shared reference data; do not edit.\n"
        f"# {framework['name']}\n"
        f"# Licence: {framework['licence']}. Sources and notices: LICENSES/NOTICE.md.\n"
    )
    body = yaml.dump(
        {"version": 1, "frameworks": [framework]},
        Dumper=LibraryDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    path.write_text(header + body, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="shared/data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)

    data: Path = args.data
    if not (data / "mitre-atlas" / "ATLAS.yaml").is_file():
        parser.error(f"{data} does not look like the shared data folder")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    frameworks = [
        owasp(data, "llm-top10-2025.yaml", "owasp-llm-2025"),
        owasp(data, "llm-top10-2026.yaml", "owasp-llm-2026"),
        owasp(data, "agentic-top10-2026.yaml", "owasp-asi-2026"),
        atlas(data),
        nist_rmf(data),
        nist_600(data),
        iso_42001(data),
        eu_ai_act(data),
    ]
    for framework in frameworks:
        path = write_framework(out, annotate(framework))
        print(f"{path.relative_to(out.parent)}: {len(framework['items'])} items")

    LINKS_OUT.mkdir(exist_ok=True)
    print(atlas_links(data, LINKS_OUT).relative_to(REPO))

    licences = out / "LICENSES"
    licences.mkdir(exist_ok=True)
    shutil.copyfile(data / "mitre-atlas" / "LICENSE", licences / "MITRE-ATLAS-LICENSE")
    shutil.copyfile(data / "mitre-atlas" / "LICENSE-APACHE-2.0.txt", licences / "Apache-2.0.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
