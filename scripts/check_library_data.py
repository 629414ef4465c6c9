#!/usr/bin/env python3
"""Check Bastion's built-in library data (frameworks, controls, threats, scenarios).

Usage::

    python scripts/check_library_data.py [LIBRARY_DIR] [-v]

LIBRARY_DIR defaults to ``governance/library/builtin``. The check needs PyYAML and nothing else:
it validates the files against ``docs/library-format.md`` (required fields, enums, the
``applies_when`` grammar), checks that refs are unique and every ``KEY:REF`` mapping and control
reference resolves, enforces the content rules the library promises (counts, concern and practice
coverage, OWASP edition pairs, the scenario verdicts of DESIGN.md), and evaluates the applicability
rules over the six demo AI systems to assert the outcomes the demo relies on.

Exit status 0 when everything passes, 1 otherwise. ``-v`` also lists the controls per demo system.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LIBRARY = REPO / "governance" / "library" / "builtin"

DOMAINS = {"security", "safety", "both"}
GOVERNANCE_PRACTICES = [
    "threat_modeling",
    "red_teaming",
    "prompt_hardening",
    "alignment_review",
    "guardrails",
    "incident_response",
]
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
GENERAL_CONCERNS = [
    "privacy",
    "supply_chain",
    "excessive_consumption",
    "sensitive_disclosure",
    "transparency",
]
CONCERNS = set(HEADLINE_CONCERNS + GENERAL_CONCERNS)
SURFACES = {"input", "training_data", "model_weights", "tools", "output", "memory", "supply_chain"}
ITEM_KINDS = {
    "function",
    "category",
    "subcategory",
    "tactic",
    "technique",
    "sub-technique",
    "mitigation",
    "risk",
    "article",
    "tier",
    "objective",
    "control",
    "entry",
}
PROFILE_FIELDS = {
    "system_type": {
        "chat_assistant",
        "agent",
        "predictive",
        "recommender",
        "rl_agent",
        "foundation_model",
    },
    "provenance": {"third_party_api", "fine_tuned_open_weights", "in_house"},
    "exposure": {"internal", "customer_facing", "public"},
    "autonomy": {"none", "human_in_loop", "human_on_loop", "autonomous"},
    "lifecycle_stage": {"design", "development", "validation", "production"},
    "eu_ai_act_tier": {
        "unassessed",
        "prohibited",
        "high",
        "limited",
        "minimal",
        "gpai",
        "gpai_systemic",
    },
    "operator_role": {"provider", "deployer", "provider_deployer", "importer", "distributor"},
}
FLAGS = {
    "generates_text",
    "uses_tools",
    "executes_code",
    "web_access",
    "memory_retrieval",
    "multi_agent",
    "reads_untrusted_content",
    "processes_personal_data",
    "decides_about_people",
    "vulnerable_users",
    "serves_eu",
    "trains_on_user_data",
    "uses_reinforcement_learning",
    "exposes_scores",
    "weights_exposed",
    "dual_use_capability",
}
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
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
CONTROL_REF_RE = re.compile(r"^(TM|RT|PH|AR|GR|IR|IN|DG|AC|SC|HO|FS)-\d{2}$")
THREAT_REF_RE = re.compile(r"^TH-\d{2}$")
SCENARIO_REF_RE = re.compile(r"^SCN-\d+$")
LIST_OR_RULE_FIELDS = {"items", "mappings", "applies_when", "controls", "threats"}
MIN_CONTROLS = 100
MIN_THREATS = 45
MIN_HEADLINE_COVERAGE = 3


def profile(fields: str, flags: str) -> dict:
    keys = ["system_type", "provenance", "exposure", "autonomy", "lifecycle_stage"]
    keys += ["eu_ai_act_tier", "operator_role"]
    values = dict(zip(keys, fields.split(), strict=True))
    values["flags"] = set(flags.split())
    return values


DEMO_SYSTEMS = {
    "Support Chatbot": profile(
        "chat_assistant third_party_api public none production limited deployer",
        "generates_text memory_retrieval reads_untrusted_content processes_personal_data vulnerable_users serves_eu",
    ),
    "Code Agent": profile(
        "agent third_party_api internal human_on_loop production minimal deployer",
        "generates_text uses_tools executes_code web_access memory_retrieval reads_untrusted_content",
    ),
    "Hiring Screener": profile(
        "predictive fine_tuned_open_weights internal human_in_loop validation high provider_deployer",
        "generates_text processes_personal_data decides_about_people serves_eu trains_on_user_data",
    ),
    "Fraud Classifier": profile(
        "predictive in_house internal human_on_loop production minimal provider_deployer",
        "processes_personal_data trains_on_user_data exposes_scores",
    ),
    "Pricing RL Agent": profile(
        "rl_agent in_house customer_facing autonomous production minimal provider_deployer",
        "uses_tools uses_reinforcement_learning trains_on_user_data",
    ),
    "Frontier Research Model": profile(
        "foundation_model in_house customer_facing human_on_loop validation gpai_systemic provider",
        "generates_text uses_tools web_access dual_use_capability weights_exposed exposes_scores",
    ),
}


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def require(self, condition: bool, where: str, message: str) -> bool:
        if not condition:
            self.error(where, message)
        return condition


# --- applicability rules --------------------------------------------------------------------------


def validate_rule(rule, where: str, report: Report) -> None:
    if rule == "always":
        return
    if not isinstance(rule, dict) or len(rule) not in (1, 2):
        report.error(where, f"applies_when must be 'always' or a one-form mapping, got {rule!r}")
        return
    keys = set(rule)
    if keys == {"flag"}:
        report.require(rule["flag"] in FLAGS, where, f"unknown flag {rule['flag']!r}")
    elif keys == {"field", "in"}:
        values = PROFILE_FIELDS.get(rule["field"])
        if report.require(values is not None, where, f"unknown field {rule['field']!r}"):
            ok = isinstance(rule["in"], list) and rule["in"]
            if report.require(ok, where, f"'in' must be a non-empty list in {rule!r}"):
                for value in rule["in"]:
                    report.require(value in values, where, f"{value!r} is not a value of {rule['field']}")
    elif keys in ({"any"}, {"all"}):
        (parts,) = rule.values()
        if report.require(isinstance(parts, list) and parts, where, f"empty list in {rule!r}"):
            for part in parts:
                validate_rule(part, where, report)
    elif keys == {"not"}:
        validate_rule(rule["not"], where, report)
    else:
        report.error(where, f"unknown rule form {sorted(keys)}")


def applies(rule, system: dict) -> bool:
    if rule == "always":
        return True
    if "flag" in rule:
        return rule["flag"] in system["flags"]
    if "field" in rule:
        return system[rule["field"]] in rule["in"]
    if "any" in rule:
        return any(applies(part, system) for part in rule["any"])
    if "all" in rule:
        return all(applies(part, system) for part in rule["all"])
    return not applies(rule["not"], system)


# --- loading and schema ---------------------------------------------------------------------------


def load_library(root: Path, report: Report) -> dict[str, list]:
    merged: dict[str, list] = {"frameworks": [], "controls": [], "threats": [], "scenarios": []}
    files = sorted(root.rglob("*.yaml"))
    report.require(bool(files), str(root), "no *.yaml files found")
    for path in files:
        where = str(path.relative_to(root))
        with path.open(encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        if not report.require(isinstance(doc, dict), where, "top level must be a mapping"):
            continue
        report.require(doc.get("version") == 1, where, "every file carries version: 1")
        unknown = set(doc) - {"version", *merged}
        report.require(not unknown, where, f"unknown top-level keys {sorted(unknown)}")
        for key in merged:
            entries = doc.get(key) or []
            if report.require(isinstance(entries, list), where, f"{key} must be a list"):
                merged[key].extend((where, entry) for entry in entries)
    return merged


def check_required(entry: dict, fields: list[str], where: str, report: Report) -> bool:
    if not report.require(isinstance(entry, dict), where, f"entry must be a mapping, got {entry!r}"):
        return False
    missing = [f for f in fields if entry.get(f) in (None, "", [])]
    if not report.require(not missing, where, f"missing required fields {missing}"):
        return False
    texts = [f for f in fields if f not in LIST_OR_RULE_FIELDS and f in entry]
    wrong = [f for f in texts if not isinstance(entry[f], str)]
    return report.require(not wrong, where, f"fields must be strings: {wrong}")


def check_frameworks(entries, report: Report) -> dict[str, dict[str, dict]]:
    index: dict[str, dict[str, dict]] = {}
    for where, fw in entries:
        if not check_required(fw, ["key", "edition", "name", "url", "licence", "items"], where, report):
            continue
        key = fw["key"]
        report.require(bool(KEY_RE.match(key)), where, f"bad framework key {key!r}")
        report.require(key not in index, where, f"duplicate framework key {key!r}")
        report.require(str(fw["url"]).startswith(("http://", "https://")), where, "url must be a URL")
        items: dict[str, dict] = {}
        for it in fw["items"]:
            if not check_required(it, ["ref", "title"], f"{where} {key}", report):
                continue
            report.require(it["ref"] not in items, where, f"duplicate item {key}:{it['ref']}")
            report.require(it.get("kind") in ITEM_KINDS | {None}, where, f"bad kind in {key}:{it['ref']}")
            items[it["ref"]] = it
        for it in items.values():
            if "parent" in it:
                report.require(it["parent"] in items, where, f"{key}:{it['ref']} has unknown parent")
        index[key] = items
    return index


def check_mappings(mappings, frameworks, where: str, report: Report) -> None:
    if not report.require(isinstance(mappings, list), where, "mappings must be a list of KEY:REF strings"):
        return
    refs = defaultdict(set)
    for mapping in mappings:
        key, _, ref = str(mapping).partition(":")
        report.require(ref in frameworks.get(key, {}), where, f"mapping {mapping!r} does not resolve")
        refs[key].add(ref)
    report.require(len(set(mappings)) == len(mappings), where, "duplicate mappings")
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


def check_controls(entries, frameworks, report: Report) -> dict[str, dict]:
    controls: dict[str, dict] = {}
    required = ["ref", "title", "objective", "domain", "practice", "applies_when", "mappings"]
    for where, c in entries:
        if not check_required(c, required, where, report):
            continue
        ref = c["ref"]
        at = f"{where} {ref}"
        report.require(ref not in controls, at, "duplicate control ref")
        controls[ref] = c
        report.require(bool(CONTROL_REF_RE.match(ref)), at, "ref must be PREFIX-NN")
        report.require(c["domain"] in DOMAINS, at, f"bad domain {c['domain']!r}")
        prefix = PRACTICE_PREFIX.get(c["practice"])
        if report.require(prefix is not None, at, f"bad practice {c['practice']!r}"):
            report.require(ref.startswith(prefix + "-"), at, f"prefix must be {prefix}-")
        validate_rule(c["applies_when"], at, report)
        cadence = c.get("review_cadence_days", 365)
        report.require(isinstance(cadence, int) and 1 <= cadence <= 1095, at, "review_cadence_days 1-1095")
        for field in ("guidance", "evidence_hint"):
            report.require(bool(c.get(field)), at, f"{field} is expected for built-in controls")
        if c.get("guidance"):
            n = sentence_count(c["guidance"])
            report.require(2 <= n <= 5, at, f"guidance should be 2-5 sentences, has {n}")
        check_mappings(c["mappings"], frameworks, at, report)
        concerns = c.get("concerns") or []
        for concern in concerns:
            report.require(concern in CONCERNS, at, f"unknown concern {concern!r}")
        report.require(len(set(concerns)) == len(concerns), at, "duplicate concerns")
    return controls


def check_threats(entries, frameworks, controls, report: Report) -> dict[str, dict]:
    threats: dict[str, dict] = {}
    for where, t in entries:
        if not check_required(t, ["ref", "title", "domain", "surface", "mappings"], where, report):
            continue
        at = f"{where} {t['ref']}"
        report.require(t["ref"] not in threats, at, "duplicate threat ref")
        threats[t["ref"]] = t
        report.require(bool(THREAT_REF_RE.match(t["ref"])), at, "ref must be TH-NN")
        report.require(t["domain"] in DOMAINS, at, f"bad domain {t['domain']!r}")
        report.require(t["surface"] in SURFACES, at, f"bad surface {t['surface']!r}")
        report.require(bool(t.get("description")), at, "description expected")
        check_mappings(t["mappings"], frameworks, at, report)
        report.require(bool(t.get("controls")), at, "suggest at least one control")
        for ref in t.get("controls") or []:
            report.require(ref in controls, at, f"unknown control {ref!r}")
        for concern in t.get("concerns") or []:
            report.require(concern in CONCERNS, at, f"unknown concern {concern!r}")
    return threats


def check_scenarios(entries, frameworks, controls, threats, report: Report) -> None:
    seen = {}
    for where, s in entries:
        required = ["ref", "title", "description", "expected_domain"]
        if not check_required(s, required, where, report):
            continue
        at = f"{where} {s['ref']}"
        report.require(bool(SCENARIO_REF_RE.match(s["ref"])), at, "ref must be SCN-N")
        report.require(s["ref"] not in seen, at, "duplicate scenario ref")
        hostile, benign = s.get("hostile_intent"), s.get("harm_in_benign_use")
        if not report.require(isinstance(hostile, bool) and isinstance(benign, bool), at, "triage answers are bools"):
            continue
        derived = {(True, True): "both", (True, False): "security", (False, True): "safety"}.get((hostile, benign))
        seen[s["ref"]] = derived
        report.require(
            derived == s["expected_domain"],
            at,
            f"answers give {derived!r}, expected_domain is {s['expected_domain']!r}",
        )
        check_mappings(s.get("mappings") or [], frameworks, at, report)
        for ref in s.get("threats") or []:
            report.require(ref in threats, at, f"unknown threat {ref!r}")
        for ref in s.get("controls") or []:
            report.require(ref in controls, at, f"unknown control {ref!r}")
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


def rule_is_valid(rule) -> bool:
    scratch = Report()
    validate_rule(rule, "", scratch)
    return not scratch.errors


def check_demo_systems(controls: dict, report: Report, verbose: bool) -> None:
    controls = {r: c for r, c in controls.items() if rule_is_valid(c["applies_when"])}
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
    table = defaultdict(Counter)
    for c in controls.values():
        table[c["practice"]][c["domain"]] += 1
    print(f"Controls: {len(controls)}")
    print(f"  {'practice':<20}{'security':>9}{'safety':>8}{'both':>6}{'total':>7}")
    for practice in PRACTICE_PREFIX:
        row = table[practice]
        print(f"  {practice:<20}{row['security']:>9}{row['safety']:>8}{row['both']:>6}{sum(row.values()):>7}")
    print(f"Threats: {len(threats)} ({dict(Counter(t['surface'] for t in threats.values()))})")
    for name, system in DEMO_SYSTEMS.items():
        refs = [
            r for r, c in controls.items() if rule_is_valid(c["applies_when"]) and applies(c["applies_when"], system)
        ]
        print(f"  {name}: {len(refs)} applicable controls")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", nargs="?", type=Path, default=DEFAULT_LIBRARY)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    report = Report()
    data = load_library(args.library, report)
    frameworks = check_frameworks(data["frameworks"], report)
    controls = check_controls(data["controls"], frameworks, report)
    threats = check_threats(data["threats"], frameworks, controls, report)
    check_scenarios(data["scenarios"], frameworks, controls, threats, report)
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
