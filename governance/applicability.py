"""Applicability rules: when does a library control apply to an AI system?

A rule is declarative data (docs/library-format.md), stored as JSON on the control:

    "always"
    {"flag": "uses_tools"}
    {"field": "exposure", "in": ["customer_facing", "public"]}
    {"any": [rule, ...]}   {"all": [rule, ...]}   {"not": rule}

This module validates rules (for imports), evaluates them against a system's profile and says
*why* a rule matched, in plain language, for the control plan and the control page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models.inventory import CAPABILITY_FLAGS, PROFILE_FIELDS

Rule = Any  # "always" or a dict, as above


class RuleError(ValueError):
    """A rule that does not follow the grammar; the message says where and why."""


def validate(rule: Rule, path: str = "applies_when") -> None:
    """Raise RuleError naming the first problem in `rule`."""
    if rule == "always":
        return
    if not isinstance(rule, dict) or len(rule) == 0:
        raise RuleError(f"{path}: expected 'always' or a mapping with one of flag, field, any, all, not")
    keys = set(rule)
    if keys == {"flag"}:
        if rule["flag"] not in CAPABILITY_FLAGS:
            raise RuleError(f"{path}.flag: unknown capability flag {rule['flag']!r}")
    elif keys == {"field", "in"}:
        name = rule["field"]
        if name not in PROFILE_FIELDS:
            raise RuleError(f"{path}.field: unknown profile field {name!r}")
        values = rule["in"]
        if not isinstance(values, list) or not values:
            raise RuleError(f"{path}.in: expected a non-empty list of values")
        allowed = set(PROFILE_FIELDS[name].values)
        for value in values:
            if value not in allowed:
                raise RuleError(f"{path}.in: {value!r} is not a value of {name} ({', '.join(sorted(allowed))})")
    elif keys in ({"any"}, {"all"}):
        (op,) = keys
        parts = rule[op]
        if not isinstance(parts, list) or not parts:
            raise RuleError(f"{path}.{op}: expected a non-empty list of rules")
        for i, part in enumerate(parts):
            validate(part, f"{path}.{op}[{i}]")
    elif keys == {"not"}:
        validate(rule["not"], f"{path}.not")
    else:
        raise RuleError(f"{path}: unexpected keys {sorted(keys)}; use one of flag, field+in, any, all, not")


@dataclass
class Match:
    applies: bool
    reasons: list[str] = field(default_factory=list)


def _field_label(name: str) -> str:
    return {
        "system_type": "system type",
        "provenance": "model provenance",
        "exposure": "exposure",
        "autonomy": "autonomy",
        "lifecycle_stage": "lifecycle stage",
        "eu_ai_act_tier": "EU AI Act tier",
        "operator_role": "operator role",
    }[name]


def _value_label(name: str, value: str) -> str:
    return str(PROFILE_FIELDS[name](value).label)


def evaluate(rule: Rule, profile: dict[str, Any]) -> Match:
    """Does `rule` hold for `profile`? If so, the reasons are the profile facts that made it hold."""
    if rule == "always":
        return Match(True, ["applies to every AI system"])
    if "flag" in rule:
        on = bool(profile.get(rule["flag"]))
        return Match(on, [f"“{CAPABILITY_FLAGS[rule['flag']][0]}” is ticked"] if on else [])
    if "field" in rule:
        name, value = rule["field"], profile.get(rule["field"])
        hit = value in rule["in"]
        return Match(hit, [f"{_field_label(name)} is {_value_label(name, value)}"] if hit else [])
    if "any" in rule:
        reasons = [r for part in rule["any"] if (m := evaluate(part, profile)).applies for r in m.reasons]
        return Match(bool(reasons), reasons)
    if "all" in rule:
        matches = [evaluate(part, profile) for part in rule["all"]]
        if all(m.applies for m in matches):
            return Match(True, [r for m in matches for r in m.reasons])
        return Match(False)
    if "not" in rule:
        inner = evaluate(rule["not"], profile)
        return Match(not inner.applies, [f"not ({describe(rule['not'])})"] if not inner.applies else [])
    raise RuleError(f"unknown rule {rule!r}")


def describe(rule: Rule) -> str:
    """The rule in plain language, e.g. “uses tools or takes actions” or “exposure is Public”."""
    if rule == "always":
        return "every AI system"
    if "flag" in rule:
        return f"“{CAPABILITY_FLAGS[rule['flag']][0]}”"
    if "field" in rule:
        name = rule["field"]
        values = [_value_label(name, v) for v in rule["in"]]
        return f"{_field_label(name)} is " + (values[0] if len(values) == 1 else "one of " + ", ".join(values))
    if "any" in rule:
        return " or ".join(_grouped(part) for part in rule["any"])
    if "all" in rule:
        return " and ".join(_grouped(part) for part in rule["all"])
    if "not" in rule:
        return f"not {_grouped(rule['not'])}"
    raise RuleError(f"unknown rule {rule!r}")


def _grouped(rule: Rule) -> str:
    text = describe(rule)
    return f"({text})" if isinstance(rule, dict) and ("any" in rule or "all" in rule) else text
