"""Editorial checks on library content, beyond what the import schema enforces.

`schema.validate()` decides whether a document *can* be loaded. These checks decide whether the
built-in library is *good enough to ship*; `tests/governance/library/test_library_quality.py` and
`manage.py library_coverage --check` run them on the built-in files:

- every mapping, suggested control and scenario reference resolves;
- no two controls (or two threats) have normalised-equal or near-identical titles
  (difflib ratio above 0.9);
- every control's domain matches the intent rule's wording in its objective: a *security* control
  names the hostile intent it defends against (an attacker, abuse, theft, injection …); a *safety*
  control does not, because its harm arises in well-meant use; *both* has no wording requirement;
- every control has an evidence hint and at least two mappings;
- every control applies to at least one of the demo systems (so a reviewer can see it in use).

Reviewed exceptions live in `quality-exceptions.yaml` next to this module, each with its reason.
"""

from __future__ import annotations

import difflib
import re
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from .schema import LibraryError as Finding  # a path and a message, printed "path: message"

EXCEPTIONS = Path(__file__).resolve().parent / "quality-exceptions.yaml"
SIMILARITY = 0.9
MIN_MAPPINGS = 2

# Words that name a hostile intent: someone deliberately trying to make the system misbehave.
HOSTILE = re.compile(
    r"\b(attack\w*|adversar\w*|malicious\w*|hostile|abus\w*|misus\w*|theft|steal\w*|stolen|tamper\w*|poison\w*|"
    r"inject\w*|unauthori[sz]ed|exfiltrat\w*|extraction|compromis\w*|intru\w*|impersonat\w*|jailbreak\w*|"
    r"evad\w*|evasion|manipulat\w*|deliberate\w*|spoof\w*|forged?|smuggl\w*|hijack\w*|crafted|planted|"
    r"circumvent\w*|bypass\w*|get around|override\w*|outsiders?|fraud\w*|determined)\b",
    re.IGNORECASE,
)


def load_exceptions(path: Path = EXCEPTIONS) -> dict:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return {
        "domain_wording": dict(data.get("domain_wording") or {}),
        "similar_titles": {frozenset(pair["refs"]) for pair in data.get("similar_titles") or []},
        "outside_demo": dict(data.get("outside_demo") or {}),
    }


def normalise(title: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", title.lower()).split())


def similar(a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    if a == b:
        return True
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds rule out almost every pair before the real ratio is computed.
    return (
        matcher.real_quick_ratio() > SIMILARITY and matcher.quick_ratio() > SIMILARITY and matcher.ratio() > SIMILARITY
    )


def wording_problem(domain: str, objective: str) -> str | None:
    """Why an objective's wording does not fit its domain, or None when it fits."""
    hostile = HOSTILE.search(objective)
    if domain == "security" and not hostile:
        return "a security control's objective should name the hostile intent it defends against"
    if domain == "safety" and hostile:
        return f"a safety control's objective names hostile intent ({hostile.group(0)!r}): is it 'both'?"
    return None


def check(document: dict, exceptions: dict | None = None, profiles: list[dict] | None = None) -> list[Finding]:
    """Every finding in a library document; `profiles` are demo system profiles (None skips that check)."""
    exceptions = load_exceptions() if exceptions is None else exceptions
    findings: list[Finding] = []
    items = {f"{fw['key']}:{item['ref']}" for fw in document.get("frameworks") or [] for item in fw["items"]}
    controls = document.get("controls") or []
    threats = document.get("threats") or []
    control_refs = {c["ref"] for c in controls}
    threat_refs = {t["ref"] for t in threats}

    def resolve(where: str, values: list[str] | None, known: set[str], what: str) -> None:
        for value in values or []:
            if value not in known:
                findings.append(Finding(where, f"{what} {value!r} does not resolve"))

    for section, entries in (("controls", controls), ("threats", threats), ("scenarios", document.get("scenarios"))):
        for entry in entries or []:
            where = f"{section}[{entry['ref']}]"
            resolve(where, entry.get("mappings"), items, "mapping")
            resolve(where, entry.get("controls"), control_refs, "control")
            resolve(where, entry.get("threats"), threat_refs, "threat")

    for section, entries in (("controls", controls), ("threats", threats)):
        for a, b in combinations(entries, 2):
            if similar(a["title"], b["title"]) and frozenset((a["ref"], b["ref"])) not in exceptions["similar_titles"]:
                findings.append(Finding(f"{section}[{b['ref']}]", f"title is nearly the same as {a['ref']}'s"))

    for control in controls:
        where = f"controls[{control['ref']}]"
        problem = wording_problem(control["domain"], control["objective"])
        if problem and control["ref"] not in exceptions["domain_wording"]:
            findings.append(Finding(f"{where}.objective", problem))
        if not (control.get("evidence_hint") or "").strip():
            findings.append(Finding(where, "has no evidence hint"))
        if len(control.get("mappings") or []) < MIN_MAPPINGS:
            findings.append(Finding(where, f"needs at least {MIN_MAPPINGS} framework mappings"))
        if (
            profiles is not None
            and control["ref"] not in exceptions["outside_demo"]
            and not any(_applies(control["applies_when"], p) for p in profiles)
        ):
            findings.append(Finding(where, "applies to none of the demo systems"))
    stale = (set(exceptions["domain_wording"]) | set(exceptions["outside_demo"])) - control_refs
    findings += [Finding("quality-exceptions.yaml", f"exception for unknown control {ref!r}") for ref in sorted(stale)]
    return findings


def _applies(rule: Any, profile: dict) -> bool:
    from ..applicability import evaluate

    return evaluate(rule, profile).applies


def demo_profiles() -> list[dict]:
    """The six demo systems' profiles, as the applicability rules read them."""
    from ..demo import SYSTEMS
    from ..models.inventory import CAPABILITY_FLAGS

    profiles = []
    for spec in SYSTEMS:
        profile = {name: value for name, value in spec.items() if name != "flags"}
        profile.update({flag: flag in spec["flags"] for flag in CAPABILITY_FLAGS})
        profiles.append(profile)
    return profiles
