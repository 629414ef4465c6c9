#!/usr/bin/env python3
"""Check Bastion's built-in library data (frameworks, controls, threats, scenarios).

Usage::

    DEBUG=1 python scripts/check_library_data.py [LIBRARY_DIR] [-v]    (or: make library-check)

LIBRARY_DIR defaults to ``governance/library/builtin``. The files are read and checked exactly as
``load_library`` reads them, through the library's own format check (governance/library/schema.py:
required fields, types, enums, the ``applies_when`` grammar, unique refs, every ``KEY:REF`` mapping
and control reference resolving), so there is one definition of the format. On top of it this
script enforces the content rules the built-in library promises (ref conventions, counts, concern
and practice coverage, OWASP edition pairs, the scenario verdicts of DESIGN.md), and evaluates the
applicability rules over the six demo AI systems (governance/demo.py) to assert the outcomes the
demo relies on.

Exit status 0 when everything passes, 1 otherwise. ``-v`` also lists the controls per demo system.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # the settings need a secret key otherwise; nothing here serves requests

import django  # noqa: E402

django.setup()

from governance.applicability import evaluate  # noqa: E402
from governance.demo import SYSTEMS  # noqa: E402
from governance.library.documents import BUILTIN_DIR, builtin_document  # noqa: E402
from governance.library.schema import LibraryInvalid  # noqa: E402
from governance.models import CAPABILITY_FLAGS, GOVERNANCE_PRACTICES, PROFILE_FIELDS, Concern, Practice  # noqa: E402

DEFAULT_LIBRARY = BUILTIN_DIR

# Content conventions of the built-in library (the format allows more).
PRACTICE_PREFIX = {
    "threat_modeling": "TM",
    "red_teaming": "RT",
    "prompt_hardening": "PH",
    "alignment_review": "AR",
    "guardrails": "GR",
    "incident_response": "IR",
    "inventory": "IN",
    "data_governance": "DG",
    "access_control": "AC",
    "supply_chain": "SC",
    "human_oversight": "HO",
    "frontier_safety": "FS",
}
# The concerns the brief names: each needs several controls and a threat.
HEADLINE_CONCERNS = [
    "prompt_injection",
    "jailbreak",
    "model_theft",
    "model_inversion",
    "agent_tool_misuse",
    "data_poisoning",
    "guardrail_bypass",
    "misalignment",
    "unsafe_or_biased_output",
    "reward_hacking",
    "hallucination",
    "automated_decision_ethics",
    "autonomous_agent_risk",
    "cbrne",
]
CONCERNS = set(Concern.values)
# The 2026 edition renumbers the OWASP LLM list; a control mapped to one edition maps to both.
OWASP_2025_TO_2026 = {
    "LLM01": "LLM01",
    "LLM02": "LLM02",
    "LLM03": "LLM04",
    "LLM04": "LLM05",
    "LLM05": "LLM10",
    "LLM06": "LLM03",
    "LLM07": "LLM08",
    "LLM08": "LLM09",
    "LLM09": "LLM07",
    "LLM10": "LLM06",
}
EXPECTED_SCENARIOS = {
    "SCN-1": "security",
    "SCN-2": "safety",
    "SCN-3": "both",
    "SCN-4": "both",
    "SCN-5": "safety",
}
CONTROL_REF_RE = re.compile(rf"^({'|'.join(PRACTICE_PREFIX.values())})-\d{{2}}$")
THREAT_REF_RE = re.compile(r"^TH-\d{2}$")
SCENARIO_REF_RE = re.compile(r"^SCN-\d+$")
MIN_CONTROLS = 100
MIN_THREATS = 45
MIN_HEADLINE_COVERAGE = 3


def profile(spec: dict) -> dict:
    """A demo system's profile as `AISystem.profile()` gives it: the fields, and each flag on or off."""
    return {
        **{name: spec[name] for name in PROFILE_FIELDS},
        **{flag: flag in spec["flags"] for flag in CAPABILITY_FLAGS},
    }


DEMO_SYSTEMS = {spec["name"]: profile(spec) for spec in SYSTEMS}


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def require(self, condition: bool, where: str, message: str) -> bool:
        if not condition:
            self.error(where, message)
        return condition


def applies(rule, system: dict) -> bool:
    return evaluate(rule, system).applies


# --- the format: the import's own check ----------------------------------------------------------


def load_library(root: Path, report: Report) -> dict[str, list] | None:
    """The merged release, checked by governance/library/schema.py; None (with the errors) if it fails."""
    try:
        return builtin_document(root)
    except LibraryInvalid as exc:
        for error in exc.errors:
            report.error(error.path, error.message)
        return None


def check_conventions(report: Report) -> None:
    """The content conventions above name only values the format knows."""
    report.require(set(PRACTICE_PREFIX) == set(Practice.values), "conventions", "a prefix for every practice")
    unknown = set(HEADLINE_CONCERNS) - CONCERNS
    report.require(not unknown, "conventions", f"headline concerns that are not concerns: {sorted(unknown)}")


def check_mappings(mappings, where: str, report: Report) -> None:
    """A control, threat or scenario mapped to one OWASP LLM edition is mapped to the other."""
    refs = defaultdict(set)
    for mapping in mappings:
        key, _, ref = mapping.partition(":")
        refs[key].add(ref)
    old, new = refs["owasp-llm-2025"], refs["owasp-llm-2026"]
    expected_new = {OWASP_2025_TO_2026[r] for r in old if r in OWASP_2025_TO_2026}
    report.require(
        expected_new == new,
        where,
        f"OWASP LLM editions out of step: 2025 {sorted(old)} implies 2026 {sorted(expected_new)}, found {sorted(new)}",
    )


def sentence_count(text: str) -> int:
    text = re.sub(r"\b(e\.g|i\.e|etc|vs|cf)\.", "x", text)
    return len(re.findall(r"[.!?](?=\s+[A-Z(\"']|\s*$)", text.strip()))


def index_frameworks(entries) -> dict[str, dict[str, dict]]:
    return {fw["key"]: {item["ref"]: item for item in fw["items"]} for fw in entries}


def check_controls(entries, report: Report) -> dict[str, dict]:
    controls: dict[str, dict] = {}
    for c in entries:
        ref = at = c["ref"]
        controls[ref] = c
        report.require(bool(CONTROL_REF_RE.match(ref)), at, "ref must be PREFIX-NN")
        report.require(ref.startswith(PRACTICE_PREFIX[c["practice"]] + "-"), at, "prefix must match the practice")
        for field in ("guidance", "evidence_hint"):
            report.require(bool(c.get(field)), at, f"{field} is expected for built-in controls")
        if c.get("guidance"):
            n = sentence_count(c["guidance"])
            report.require(2 <= n <= 5, at, f"guidance should be 2-5 sentences, has {n}")
        check_mappings(c["mappings"], at, report)
    return controls


def check_threats(entries, report: Report) -> dict[str, dict]:
    threats: dict[str, dict] = {}
    for t in entries:
        at = t["ref"]
        threats[at] = t
        report.require(bool(THREAT_REF_RE.match(at)), at, "ref must be TH-NN")
        report.require(bool(t.get("description")), at, "description expected")
        check_mappings(t["mappings"], at, report)
        report.require(bool(t.get("controls")), at, "suggest at least one control")
    return threats


def check_scenarios(entries, report: Report) -> None:
    seen = {}
    for s in entries:
        at = s["ref"]
        report.require(bool(SCENARIO_REF_RE.match(at)), at, "ref must be SCN-N")
        seen[at] = s["expected_domain"]  # the format check holds it to the two triage answers
        check_mappings(s.get("mappings") or [], at, report)
    for ref, verdict in EXPECTED_SCENARIOS.items():
        report.require(seen.get(ref) == verdict, "scenarios", f"{ref} must derive to {verdict}")


# --- content rules --------------------------------------------------------------------------------


def check_coverage(controls: dict, threats: dict, report: Report) -> None:
    report.require(len(controls) >= MIN_CONTROLS, "controls", f"need >= {MIN_CONTROLS}")
    report.require(len(threats) >= MIN_THREATS, "threats", f"need >= {MIN_THREATS}")
    per_concern = Counter(k for c in controls.values() for k in c.get("concerns") or [])
    for concern in sorted(CONCERNS):
        report.require(per_concern[concern] >= 1, "concerns", f"{concern} has no control")
    for concern in HEADLINE_CONCERNS:
        report.require(
            per_concern[concern] >= MIN_HEADLINE_COVERAGE,
            "concerns",
            f"{concern} has {per_concern[concern]} controls, want >= {MIN_HEADLINE_COVERAGE}",
        )
    practices = {c["practice"] for c in controls.values()}
    for practice in PRACTICE_PREFIX:
        report.require(practice in practices, "practices", f"{practice} has no control")
    for practice in GOVERNANCE_PRACTICES:
        domains = {c["domain"] for c in controls.values() if c["practice"] == practice}
        for domain in ("security", "safety"):
            report.require(domain in domains, "practices", f"{practice} has no {domain}-domain control")
    threat_concerns = {k for t in threats.values() for k in t.get("concerns") or []}
    for concern in HEADLINE_CONCERNS:
        report.require(concern in threat_concerns, "threats", f"no threat for {concern}")
    suggested = {ref for t in threats.values() for ref in t.get("controls") or []}
    report.require(
        len(suggested) >= len(controls) // 2,
        "threats",
        f"threats suggest only {len(suggested)} of {len(controls)} controls",
    )


def check_demo_systems(controls: dict, report: Report, verbose: bool) -> None:
    applicable = {
        name: {ref for ref, c in controls.items() if applies(c["applies_when"], system)}
        for name, system in DEMO_SYSTEMS.items()
    }

    def with_concern(name: str, concern: str) -> set[str]:
        return {r for r in applicable[name] if concern in (controls[r].get("concerns") or [])}

    def titled(prefix: str) -> set[str]:
        return {r for r, c in controls.items() if c["title"].lower().startswith(prefix.lower())}

    def expect(condition: bool, name: str, message: str) -> None:
        report.require(condition, f"demo {name}", message)

    cbrne_set = {r for r, c in controls.items() if "cbrne" in (c.get("concerns") or [])}
    fs_cbrne = {r for r in cbrne_set if controls[r]["practice"] == "frontier_safety"}
    expect(len(fs_cbrne) >= 6, "library", f"CBRNE frontier-safety set has {len(fs_cbrne)} controls")

    expect(
        len(with_concern("Hiring Screener", "automated_decision_ethics")) >= 4,
        "Hiring Screener",
        "gets the automated-decision fairness controls",
    )
    expect(
        cbrne_set <= applicable["Frontier Research Model"],
        "Frontier Research Model",
        f"gets the whole CBRNE set, missing {sorted(cbrne_set - applicable['Frontier Research Model'])}",
    )
    expect(
        len(with_concern("Code Agent", "agent_tool_misuse")) >= 5, "Code Agent", "gets the agent tool-misuse controls"
    )
    expect(
        len(with_concern("Fraud Classifier", "data_poisoning")) >= 3,
        "Fraud Classifier",
        "gets the data-poisoning controls",
    )
    leaked = with_concern("Fraud Classifier", "agent_tool_misuse")
    expect(not leaked, "Fraud Classifier", f"must get no agent_tool_misuse control, got {sorted(leaked)}")
    expect(
        len(with_concern("Pricing RL Agent", "reward_hacking")) >= 3,
        "Pricing RL Agent",
        "gets the reward-hacking controls",
    )

    chatbot = applicable["Support Chatbot"]
    pi_screen = titled("Prompt-injection input screening")
    self_harm = titled("Self-harm content safeguard")
    expect(
        len(pi_screen) == 1 and pi_screen <= chatbot,
        "Support Chatbot",
        "gets exactly one 'Prompt-injection input screening' control",
    )
    expect(
        len(self_harm) == 1 and self_harm <= chatbot,
        "Support Chatbot",
        "gets exactly one 'Self-harm content safeguard' control",
    )
    for ref in pi_screen:
        c = controls[ref]
        expect(
            (c["domain"], c["practice"]) == ("security", "prompt_hardening"),
            "library",
            f"{ref} must be security / prompt_hardening",
        )
    for ref in self_harm:
        c = controls[ref]
        expect(
            (c["domain"], c["practice"]) == ("safety", "guardrails"), "library", f"{ref} must be safety / guardrails"
        )
    expect(
        bool(
            with_concern("Support Chatbot", "guardrail_bypass")
            & {r for r in chatbot if "hidden" in controls[r]["title"].lower()}
        ),
        "Support Chatbot",
        "gets a hidden-character / ASCII-smuggling control",
    )
    expect(
        len(with_concern("Support Chatbot", "prompt_injection")) >= 3,
        "Support Chatbot",
        "gets the prompt-injection controls",
    )

    inversion = {r for r, c in controls.items() if "model_inversion" in (c.get("concerns") or [])}
    for name in ("Support Chatbot", "Fraud Classifier", "Frontier Research Model"):
        expect(bool(inversion & applicable[name]), name, "gets model-inversion controls")
    for name in ("Code Agent", "Hiring Screener", "Pricing RL Agent"):
        leaked = inversion & applicable[name]
        expect(not leaked, name, f"no exposed scores, weights or public API: got {sorted(leaked)}")

    for name in DEMO_SYSTEMS:
        if name != "Frontier Research Model":
            leaked = with_concern(name, "cbrne")
            expect(not leaked, name, f"must get no CBRNE control, got {sorted(leaked)}")

    always = {r for r, c in controls.items() if c["applies_when"] == "always"}
    expect(len(always) >= 5, "library", f"only {len(always)} controls apply always")
    sets = [frozenset(s) for s in applicable.values()]
    expect(len(set(sets)) == len(sets), "library", "two demo systems get identical control sets")

    if verbose:
        for name, refs in applicable.items():
            print(f"{name}: {len(refs)} controls")
            print("   ", " ".join(sorted(refs)))


def summary(frameworks, controls, threats) -> None:
    print("Frameworks:")
    for key, items in frameworks.items():
        kinds = Counter(i.get("kind", "-") for i in items.values())
        print(f"  {key}: {len(items)} items ({', '.join(f'{k} {n}' for k, n in kinds.items())})")
    table: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for c in controls.values():
        table[c["practice"]][c["domain"]] += 1
    print(f"Controls: {len(controls)}")
    print(f"  {'practice':<20}{'security':>9}{'safety':>8}{'both':>6}{'total':>7}")
    for practice in PRACTICE_PREFIX:
        row = table[practice]
        print(f"  {practice:<20}{row['security']:>9}{row['safety']:>8}{row['both']:>6}{sum(row.values()):>7}")
    print(f"Threats: {len(threats)} ({dict(Counter(t['surface'] for t in threats.values()))})")
    for name, system in DEMO_SYSTEMS.items():
        refs = [r for r, c in controls.items() if applies(c["applies_when"], system)]
        print(f"  {name}: {len(refs)} applicable controls")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", nargs="?", type=Path, default=DEFAULT_LIBRARY)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    report = Report()
    check_conventions(report)
    data = load_library(args.library, report)
    if data is None:
        print(f"\nFAILED: {len(report.errors)} problem(s) in the library format")
        for message in report.errors:
            print(f"  - {message}")
        return 1
    frameworks = index_frameworks(data["frameworks"])
    controls = check_controls(data["controls"], report)
    threats = check_threats(data["threats"], report)
    check_scenarios(data["scenarios"], report)
    check_coverage(controls, threats, report)
    check_demo_systems(controls, report, args.verbose)

    summary(frameworks, controls, threats)
    if report.errors:
        print(f"\nFAILED: {len(report.errors)} problem(s)")
        for message in report.errors:
            print(f"  - {message}")
        return 1
    print("\nOK: library data passes all checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
