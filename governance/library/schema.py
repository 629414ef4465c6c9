"""Checking a library document (docs/library-format.md) before anything is written.

`validate()` walks the whole document and returns *every* problem, each with the path of the
offending value and the reason, e.g.::

    controls[PH-01].domain: 'securty' is not one of security, safety, both
    controls[PH-01].mappings[2]: unknown item 'owasp-llm-2025:LLM11'
    threats[4]: missing required field 'surface'

Entries are named by their `ref` (or `key`) when they have a usable one, otherwise by their
position, so an author can find them in a long file. References that point outside the
document (to built-in items an organisation's control maps to, say) are checked against a
`Known` set the caller reads from the database; the schema itself never queries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.choices import Domain

from ..applicability import RuleError, _show
from ..applicability import validate as validate_rule
from ..models.library import Concern, Practice, Surface

FORMAT_VERSION = 1
SECTIONS = ("frameworks", "controls", "threats", "scenarios")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
ITEM_KINDS = (
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
)


@dataclass(frozen=True)
class LibraryError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class LibraryInvalid(Exception):
    """A document that cannot be loaded; `errors` lists every problem found."""

    def __init__(self, errors: list[LibraryError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the library document")


@dataclass(frozen=True)
class Known:
    """What a document may refer to besides its own entries, and what it may not redefine.

    `items` are `KEY:REF` strings, `controls` and `threats` refs; `reserved_*` are keys and refs
    the document may not use (an organisation's content must not clash with the built-in one).
    """

    items: frozenset[str] = frozenset()
    controls: frozenset[str] = frozenset()
    threats: frozenset[str] = frozenset()
    reserved: dict[str, frozenset[str]] = field(default_factory=dict)


# Field specifications: (name, kind, required). Kinds: str, text (str, may be long), int,
# bool, list, rule. Lengths follow the model fields so the database never rejects a row.
STR, TEXT, INT, BOOL, LIST, RULE = "string", "text", "integer", "boolean", "list", "rule"

FRAMEWORK_FIELDS = {
    "key": (STR, True, 80),
    "edition": (STR, True, 40),
    "name": (STR, True, 200),
    "url": (STR, True, 500),
    "licence": (STR, True, 80),
    "notice": (TEXT, False, None),
    "items": (LIST, True, None),
}
ITEM_FIELDS = {
    "ref": (STR, True, 80),
    "title": (TEXT, True, None),
    "kind": (STR, False, 30),
    "parent": (STR, False, 80),
    "out_of_scope": (TEXT, False, None),
    "note": (TEXT, False, None),
}
CONTROL_FIELDS = {
    "ref": (STR, True, 40),
    "title": (STR, True, 200),
    "objective": (TEXT, True, None),
    "guidance": (TEXT, False, None),
    "evidence_hint": (TEXT, False, None),
    "domain": (STR, True, None),
    "practice": (STR, True, None),
    "applies_when": (RULE, True, None),
    "review_cadence_days": (INT, False, None),
    "mappings": (LIST, True, None),
    "concerns": (LIST, False, None),
}
THREAT_FIELDS = {
    "ref": (STR, True, 40),
    "title": (STR, True, 200),
    "description": (TEXT, False, None),
    "domain": (STR, True, None),
    "surface": (STR, True, None),
    "mappings": (LIST, True, None),
    "controls": (LIST, False, None),
    "concerns": (LIST, False, None),
}
SCENARIO_FIELDS = {
    "ref": (STR, True, 40),
    "title": (STR, True, 200),
    "description": (TEXT, True, None),
    "hostile_intent": (BOOL, True, None),
    "harm_in_benign_use": (BOOL, True, None),
    "expected_domain": (STR, True, None),
    "rationale": (TEXT, False, None),
    "threats": (LIST, False, None),
    "controls": (LIST, False, None),
    "mappings": (LIST, False, None),
}


EXPECTED = {STR: "a string", TEXT: "a string", INT: "an integer", BOOL: "true or false", LIST: "a list"}


def _type_ok(value: Any, kind: str) -> bool:
    if kind in (STR, TEXT):
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == LIST:
        return isinstance(value, list)
    return True  # rules have their own grammar check


def _type_name(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
    }.get(type(value), type(value).__name__)


def _one_of(value: Any, choices: Iterable[str]) -> str:
    return f"{_show(value)} is not one of {', '.join(choices)}"


class _Checker:
    def __init__(self, known: Known):
        self.known = known
        self.errors: list[LibraryError] = []
        self.items: set[str] = set()
        self.controls: set[str] = set()
        self.threats: set[str] = set()

    def error(self, path: str, message: str) -> None:
        self.errors.append(LibraryError(path, message))

    # --- generic ---------------------------------------------------------------------------

    def entries(self, document: dict, section: str, id_field: str, prefix: str = "") -> Iterator[tuple[str, dict]]:
        """The section's entries that are mappings, each with its path, in order.

        A generator, so a duplicate is reported where it stands among the entries' own errors.
        """
        value = document.get(section)
        if value is None:
            return
        if not isinstance(value, list):
            self.error(f"{prefix}{section}", f"expected a list, got {_type_name(value)}")
            return
        seen: dict[str, int] = {}
        for index, entry in enumerate(value):
            ident: Any = entry.get(id_field) if isinstance(entry, dict) else None
            usable = isinstance(ident, str) and ident.strip() and "]" not in ident and len(ident) <= 80
            path = f"{prefix}{section}[{ident if usable and ident not in seen else index}]"
            if not isinstance(entry, dict):
                self.error(path, f"expected a mapping, got {_type_name(entry)}")
                continue
            if usable:
                if ident in seen:
                    self.error(path, f"duplicate {id_field} {ident!r} (first used by entry {seen[ident]})")
                    continue
                seen[ident] = index
                if ident in self.known.reserved.get(section, ()):
                    self.error(f"{path}.{id_field}", f"{ident!r} is already used by the built-in library")
                    continue
            yield path, entry

    def fields(self, path: str, entry: dict, spec: dict) -> bool:
        """Required fields present, types and lengths right, nothing unknown. False if unusable."""
        ok = True
        for name in entry.keys() - spec.keys():
            shown = name if isinstance(name, str) and len(name) <= 60 else _show(name)
            self.error(f"{path}.{shown}", f"unknown field (expected one of {', '.join(spec)})")
        for name, (kind, required, max_length) in spec.items():
            value = entry.get(name)
            if value is None or value == "":
                if required:
                    self.error(path, f"missing required field {name!r}")
                    ok = False
                continue
            if not _type_ok(value, kind):
                self.error(f"{path}.{name}", f"expected {EXPECTED[kind]}, got {_type_name(value)}")
                ok = False
            elif max_length and len(value) > max_length:
                self.error(f"{path}.{name}", f"longer than {max_length} characters")
                ok = False
            elif kind in (STR, TEXT) and "\x00" in value:
                # The database refuses NUL in text (PostgreSQL), and no author means one.
                self.error(f"{path}.{name}", "contains a NUL character (\\x00); remove it")
                ok = False
        return ok

    def choice(self, path: str, value: Any, choices: Iterable[str]) -> None:
        choices = list(choices)
        if value not in choices:
            self.error(path, _one_of(value, choices))

    def string_list(self, path: str, values: list) -> list[tuple[str, str]]:
        """(path, value) of each string in the list; other types and repeats are reported."""
        result: list[tuple[str, str]] = []
        counts: Counter[str] = Counter()
        for i, value in enumerate(values):
            if not isinstance(value, str):
                self.error(f"{path}[{i}]", f"expected a string, got {_type_name(value)}")
                continue
            counts[value] += 1
            if counts[value] == 2:
                self.error(f"{path}[{i}]", f"{_show(value)} is listed twice")
            result.append((f"{path}[{i}]", value))
        return result

    def references(self, path: str, entry: dict, name: str, own: set[str], known: frozenset[str], what: str):
        values = entry.get(name)
        if not isinstance(values, list):
            return
        for at, value in self.string_list(f"{path}.{name}", values):
            if value not in own and value not in known:
                self.error(at, f"unknown {what} {_show(value)}")

    def mappings(self, path: str, entry: dict, required: bool) -> None:
        values = entry.get("mappings")
        if isinstance(values, list) and not values and required:
            self.error(f"{path}.mappings", "at least one mapping (KEY:REF) is required")
        self.references(path, entry, "mappings", self.items, self.known.items, "item")

    def concerns(self, path: str, entry: dict) -> None:
        values = entry.get("concerns")
        if isinstance(values, list):
            for at, value in self.string_list(f"{path}.concerns", values):
                self.choice(at, value, Concern.values)

    @staticmethod
    def _own(refs: set[str], entry: dict) -> None:
        """Note an entry's ref for later references; a ref of the wrong type is reported by `fields`."""
        if isinstance(entry.get("ref"), str):
            refs.add(entry["ref"])

    # --- sections ---------------------------------------------------------------------------

    def frameworks(self, document: dict) -> None:
        url_validator = URLValidator(schemes=["http", "https"])
        for path, fw in self.entries(document, "frameworks", "key"):
            if not self.fields(path, fw, FRAMEWORK_FIELDS):
                continue
            key = fw["key"]
            if not KEY_RE.match(key):
                self.error(f"{path}.key", f"{key!r} must be lower-case letters, digits, dots and hyphens")
            try:
                url_validator(fw["url"])
            except ValidationError:
                self.error(f"{path}.url", f"{fw['url']!r} is not an http(s) URL")
            self.items_of(path, key, fw)

    def items_of(self, path: str, key: str, fw: dict) -> None:
        refs = {item.get("ref") for item in fw["items"] if isinstance(item, dict) and isinstance(item.get("ref"), str)}
        if not fw["items"]:
            self.error(f"{path}.items", "a framework needs at least one item")
        parents = {}
        for at, item in self.entries(fw, "items", "ref", prefix=f"{path}."):
            if not self.fields(at, item, ITEM_FIELDS):
                continue
            self.items.add(f"{key}:{item['ref']}")
            if item.get("kind"):
                self.choice(f"{at}.kind", item["kind"], ITEM_KINDS)
            parent = item.get("parent")
            if parent and (parent not in refs or parent == item["ref"]):
                self.error(f"{at}.parent", f"{_show(parent)} is not another item of {key}")
            elif parent:
                parents[item["ref"]] = (at, parent)
        for ref, (at, _parent) in parents.items():
            seen, current = {ref}, ref
            while current in parents:
                current = parents[current][1]
                if current in seen:
                    self.error(f"{at}.parent", f"the parent chain of {ref!r} loops back to itself")
                    break
                seen.add(current)

    def controls_section(self, document: dict) -> None:
        for path, control in self.entries(document, "controls", "ref"):
            self._own(self.controls, control)
            if not self.fields(path, control, CONTROL_FIELDS):
                continue
            self.choice(f"{path}.domain", control["domain"], Domain.values)
            self.choice(f"{path}.practice", control["practice"], Practice.values)
            self.rule(f"{path}.applies_when", control["applies_when"])
            cadence = control.get("review_cadence_days")
            if isinstance(cadence, int) and not 1 <= cadence <= 1095:
                self.error(f"{path}.review_cadence_days", f"{cadence} is outside 1–1095 days")
            self.mappings(path, control, required=True)
            self.concerns(path, control)

    def rule(self, path: str, rule: Any) -> None:
        try:
            validate_rule(rule, path)
        except RuleError as exc:
            # The message is "<path inside the rule>: <reason>"; keep the two apart.
            text = str(exc)
            cut = text.find(": ", len(path))
            self.error(text[:cut], text[cut + 2 :])

    def threats_section(self, document: dict) -> None:
        for path, threat in self.entries(document, "threats", "ref"):
            self._own(self.threats, threat)
            if not self.fields(path, threat, THREAT_FIELDS):
                continue
            self.choice(f"{path}.domain", threat["domain"], Domain.values)
            self.choice(f"{path}.surface", threat["surface"], Surface.values)
            self.mappings(path, threat, required=True)
            self.references(path, threat, "controls", self.controls, self.known.controls, "control")
            self.concerns(path, threat)

    def scenarios_section(self, document: dict) -> None:
        for path, scenario in self.entries(document, "scenarios", "ref"):
            if not self.fields(path, scenario, SCENARIO_FIELDS):
                continue
            self.choice(f"{path}.expected_domain", scenario["expected_domain"], Domain.values)
            verdict = Domain.from_intent(
                hostile_intent=scenario["hostile_intent"], harm_in_benign_use=scenario["harm_in_benign_use"]
            )
            if verdict is None:
                self.error(path, "hostile_intent and harm_in_benign_use are both false: that is no AI risk")
            elif scenario["expected_domain"] in Domain.values and verdict != scenario["expected_domain"]:
                self.error(
                    f"{path}.expected_domain",
                    f"the answers give {verdict.value!r}, not {scenario['expected_domain']!r}",
                )
            self.mappings(path, scenario, required=False)
            self.references(path, scenario, "threats", self.threats, self.known.threats, "threat")
            self.references(path, scenario, "controls", self.controls, self.known.controls, "control")


def validate(document: Any, known: Known | None = None) -> list[LibraryError]:
    """Every problem in `document`, in document order; an empty list means it can be loaded."""
    checker = _Checker(known or Known())
    if not isinstance(document, dict):
        return [LibraryError("(document)", f"expected a mapping at the top level, got {_type_name(document)}")]
    version = document.get("version")
    if version is None:
        checker.error("version", "missing required field 'version'")
    elif version != FORMAT_VERSION or isinstance(version, bool):
        checker.error("version", f"{_show(version)} is not a supported version (expected {FORMAT_VERSION})")
    for name in document.keys() - {"version", *SECTIONS}:
        shown = name if isinstance(name, str) and len(name) <= 60 else _show(name)
        checker.error(shown, f"unknown top-level key (expected version, {', '.join(SECTIONS)})")
    checker.frameworks(document)
    checker.controls_section(document)
    checker.threats_section(document)
    checker.scenarios_section(document)
    return checker.errors
