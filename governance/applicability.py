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


# A rule is small by nature (the built-in ones nest three levels and have about ten parts). The
# bounds keep a hostile or mistaken rule from exhausting the stack or the worker's time.
MAX_RULE_DEPTH = 10  # nested rules: {"not": {"not": ...}} counts one level per rule
MAX_RULE_PARTS = 200  # rules, lists and listed values together

UNREADABLE = "its rule cannot be read (too large or malformed), so it is listed for review"


def _show(value: Any) -> str:
    """A value for a message: its repr, cut short (a hostile value may be megabytes long)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_bounds(rule: Rule, path: str = "applies_when") -> None:
    """Raise RuleError if `rule` nests deeper than MAX_RULE_DEPTH or has more than MAX_RULE_PARTS parts.

    Walks the rule with an explicit stack, never recursing, so a rule of any depth is measured
    safely; everything that recurses over a rule runs only after this check.
    """
    stack, parts = [(rule, 1)], 0
    while stack:
        node, depth = stack.pop()
        parts += 1
        if parts > MAX_RULE_PARTS:
            raise RuleError(f"{path}: the rule has more than {MAX_RULE_PARTS} parts; split it or simplify it")
        if depth > MAX_RULE_DEPTH:
            raise RuleError(f"{path}: the rule nests deeper than {MAX_RULE_DEPTH} levels")
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + isinstance(child, dict)) for child in children)


def validate(rule: Rule, path: str = "applies_when") -> None:
    """Raise RuleError naming the first problem in `rule`."""
    check_bounds(rule, path)
    _validate(rule, path)


def _validate(rule: Rule, path: str) -> None:
    if isinstance(rule, str) and rule == "always":
        return
    if not isinstance(rule, dict) or len(rule) == 0:
        raise RuleError(f"{path}: expected 'always' or a mapping with one of flag, field, any, all, not")
    keys = set(rule)
    if keys == {"flag"}:
        if not isinstance(rule["flag"], str) or rule["flag"] not in CAPABILITY_FLAGS:
            raise RuleError(f"{path}.flag: unknown capability flag {_show(rule['flag'])}")
    elif keys == {"field", "in"}:
        name = rule["field"]
        if not isinstance(name, str) or name not in PROFILE_FIELDS:
            raise RuleError(f"{path}.field: unknown profile field {_show(name)}")
        values = rule["in"]
        if not isinstance(values, list) or not values:
            raise RuleError(f"{path}.in: expected a non-empty list of values")
        allowed = set(PROFILE_FIELDS[name].values)
        for value in values:
            if not isinstance(value, str) or value not in allowed:
                raise RuleError(f"{path}.in: {_show(value)} is not a value of {name} ({', '.join(sorted(allowed))})")
    elif keys in ({"any"}, {"all"}):
        (op,) = keys
        parts = rule[op]
        if not isinstance(parts, list) or not parts:
            raise RuleError(f"{path}.{op}: expected a non-empty list of rules")
        for i, part in enumerate(parts):
            _validate(part, f"{path}.{op}[{i}]")
    elif keys == {"not"}:
        _validate(rule["not"], f"{path}.not")
    else:
        shown = ", ".join(sorted(_show(key) for key in keys))
        raise RuleError(f"{path}: unexpected keys {shown}; use one of flag, field+in, any, all, not")


def readable(rule: Rule) -> bool:
    """Does a stored rule follow the grammar within the bounds? Rules stored before the bounds
    existed may not; they are shown and evaluated as unreadable, never crash a page."""
    try:
        validate(rule)
    except RuleError:
        return False
    return True


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


def _value_label(name: str, value: Any) -> str:
    return str(PROFILE_FIELDS[name](value).label)


def evaluate(rule: Rule, profile: dict[str, Any]) -> Match:
    """Does `rule` hold for `profile`? If so, the reasons are the profile facts that made it hold.

    A stored rule that does not follow the grammar (or is too large) applies, with a reason that
    says so: listing a control for review is the safe side of not being able to read its rule.
    """
    if not readable(rule):
        return Match(True, [UNREADABLE])
    return _evaluate(rule, profile)


def _evaluate(rule: Rule, profile: dict[str, Any]) -> Match:
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
        reasons = [r for part in rule["any"] if (m := _evaluate(part, profile)).applies for r in m.reasons]
        return Match(bool(reasons), reasons)
    if "all" in rule:
        matches = [_evaluate(part, profile) for part in rule["all"]]
        if all(m.applies for m in matches):
            return Match(True, [r for m in matches for r in m.reasons])
        return Match(False)
    if "not" in rule:
        inner = _evaluate(rule["not"], profile)
        return Match(not inner.applies, [f"not ({_describe(rule['not'])})"] if not inner.applies else [])
    raise RuleError(f"unknown rule {rule!r}")


def describe(rule: Rule) -> str:
    """The rule in plain language, e.g. “uses tools or takes actions” or “exposure is Public”."""
    if not readable(rule):
        return "a rule Bastion cannot read (too large or malformed); edit the control to replace it"
    return _describe(rule)


def _describe(rule: Rule) -> str:
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
    text = _describe(rule)
    return f"({text})" if isinstance(rule, dict) and ("any" in rule or "all" in rule) else text
