"""Property: no document, however malformed, makes the parser, the checker or the importer raise
anything but the checker's own LibraryInvalid (issue 9, finding 5).

The documents are drawn near the format (its section and field names, real enum values, rule
operators) so that most of them get past the top level and into the entry and rule checks.
Kept quick: 40 examples per property (run with more locally when changing the checker), no example database.
"""

import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.library import LibraryInvalid, import_document
from governance.library.documents import parse
from governance.library.schema import (
    CONTROL_FIELDS,
    FRAMEWORK_FIELDS,
    ITEM_FIELDS,
    SCENARIO_FIELDS,
    SECTIONS,
    THREAT_FIELDS,
    LibraryError,
    validate,
)

QUICK = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

FIELD_NAMES = sorted({*FRAMEWORK_FIELDS, *ITEM_FIELDS, *CONTROL_FIELDS, *THREAT_FIELDS, *SCENARIO_FIELDS})
WORDS = [
    "always",
    "uses_tools",
    "exposure",
    "public",
    "security",
    "both",
    "prompt_hardening",
    "input",
    "prompt_injection",
    "k",
    "A",
    "owasp-llm-2025:LLM01",
    "k:A",
    "ACME-01",
    "https://example.com/",
    "",
    "a\x00b",
    "x]",
]
RULE_KEYS = ["flag", "field", "in", "any", "all", "not"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(WORDS)
)
keys = st.sampled_from(FIELD_NAMES + RULE_KEYS + ["version", *SECTIONS]) | st.text(max_size=6) | st.integers(0, 3)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)
rules = st.recursive(
    st.sampled_from(["always", {"flag": "uses_tools"}, {"field": "exposure", "in": ["public"]}]) | values,
    lambda parts: (
        st.builds(lambda op, rules: {op: rules}, st.sampled_from(["any", "all"]), st.lists(parts, max_size=3))
        | parts.map(lambda rule: {"not": rule})
    ),
    max_leaves=12,
)

# Valid entries, then one field replaced by a random value: they reach the deeper checks.
VALID = {
    "frameworks": {
        "key": "k",
        "edition": "1",
        "name": "K",
        "url": "https://example.com/",
        "licence": "internal",
        "items": [{"ref": "A", "title": "a"}, {"ref": "B", "title": "b", "parent": "A"}],
    },
    "controls": {
        "ref": "ACME-01",
        "title": "t",
        "objective": "o",
        "domain": "security",
        "practice": "prompt_hardening",
        "applies_when": "always",
        "mappings": ["k:A"],
    },
    "threats": {"ref": "T-1", "title": "t", "domain": "safety", "surface": "input", "mappings": ["k:B"]},
    "scenarios": {
        "ref": "S-1",
        "title": "t",
        "description": "d",
        "hostile_intent": True,
        "harm_in_benign_use": False,
        "expected_domain": "security",
        "controls": ["ACME-01"],
        "threats": ["T-1"],
    },
}


def near_valid(section: str):
    valid = VALID[section]
    changed = st.tuples(st.sampled_from([*sorted(valid), "unknown"]), rules if section == "controls" else values)
    return st.lists(changed, max_size=2).map(lambda changes: {**valid, **dict(changes)})


entries = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=4), values, max_size=10)
documents = st.dictionaries(
    st.sampled_from(["version", *SECTIONS]) | st.text(max_size=5),
    st.just(1) | values | st.lists(entries, max_size=3),
    max_size=6,
) | st.fixed_dictionaries(
    {"version": st.just(1)}, optional={section: st.lists(near_valid(section), max_size=3) for section in SECTIONS}
)


@QUICK
@given(documents)
def test_the_checker_returns_errors_and_never_raises(document):
    errors = validate(document)
    assert all(isinstance(error, LibraryError) and str(error) for error in errors)


@QUICK
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode), st.sampled_from(["f.yaml", "f.json"]))
def test_the_parser_raises_nothing_but_library_invalid(content, name):
    with contextlib.suppress(LibraryInvalid):
        parse(content, name=name)


@QUICK
@given(documents)
def test_a_document_survives_the_round_trip_through_json_and_yaml_text(document):
    try:
        text = json.dumps(document)
    except (TypeError, ValueError):
        return
    for name in ("f.json", "f.yaml"):
        with contextlib.suppress(LibraryInvalid):
            validate(parse(text.encode(), name=name))


@pytest.mark.django_db
@QUICK
@given(documents)
def test_the_importer_raises_nothing_but_library_invalid(org, document):
    try:
        import_document(document, organisation=org)
    except LibraryInvalid as exc:
        assert exc.errors
