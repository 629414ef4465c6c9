"""governance.library.schema.validate: every problem of a document, each with its path and reason."""

import pytest

from governance.library.documents import parse
from governance.library.schema import Known, LibraryInvalid, validate


def document():
    return {
        "version": 1,
        "frameworks": [
            {
                "key": "acme-policy-2026",
                "edition": "2026",
                "name": "Acme AI policy",
                "url": "https://intranet.example.test/ai-policy",
                "licence": "internal",
                "items": [
                    {"ref": "P-1", "title": "Know every AI system", "kind": "category"},
                    {"ref": "P-1.1", "title": "Keep an inventory", "parent": "P-1"},
                ],
            }
        ],
        "controls": [
            {
                "ref": "ACME-01",
                "title": "Register every AI system before launch",
                "objective": "No AI system reaches customers without an owner on record.",
                "domain": "both",
                "practice": "inventory",
                "applies_when": {"any": [{"flag": "uses_tools"}, {"field": "exposure", "in": ["public"]}]},
                "review_cadence_days": 180,
                "mappings": ["acme-policy-2026:P-1.1"],
                "concerns": ["transparency"],
            }
        ],
        "threats": [
            {
                "ref": "ACME-T1",
                "title": "A shadow AI system nobody governs",
                "domain": "safety",
                "surface": "supply_chain",
                "mappings": ["acme-policy-2026:P-1"],
                "controls": ["ACME-01"],
            }
        ],
        "scenarios": [
            {
                "ref": "ACME-S1",
                "title": "A team ships a chatbot nobody registered",
                "description": "It answers customers for months before anyone reviews it.",
                "hostile_intent": False,
                "harm_in_benign_use": True,
                "expected_domain": "safety",
                "threats": ["ACME-T1"],
            }
        ],
    }


def messages(doc, known=None):
    return [str(error) for error in validate(doc, known)]


def test_a_valid_document_has_no_errors():
    assert messages(document()) == []


def test_it_names_a_missing_required_field():
    doc = document()
    del doc["controls"][0]["objective"]
    assert messages(doc) == ["controls[ACME-01]: missing required field 'objective'"]


def test_it_names_an_unknown_domain_and_lists_the_choices():
    doc = document()
    doc["controls"][0]["domain"] = "securty"
    assert messages(doc) == ["controls[ACME-01].domain: 'securty' is not one of security, safety, both"]


def test_it_names_an_unknown_practice():
    doc = document()
    doc["controls"][0]["practice"] = "vibes"
    (message,) = messages(doc)
    assert message.startswith("controls[ACME-01].practice: 'vibes' is not one of threat_modeling, red_teaming")


def test_it_names_a_dangling_mapping_by_position():
    doc = document()
    doc["controls"][0]["mappings"].append("owasp-llm-2025:LLM11")
    assert messages(doc) == ["controls[ACME-01].mappings[1]: unknown item 'owasp-llm-2025:LLM11'"]


def test_mappings_may_point_at_items_already_in_the_database():
    doc = document()
    doc["controls"][0]["mappings"].append("owasp-llm-2025:LLM01")
    assert messages(doc, Known(items=frozenset({"owasp-llm-2025:LLM01"}))) == []


def test_it_names_a_duplicate_ref_and_where_it_was_first_used():
    doc = document()
    doc["controls"].append(dict(doc["controls"][0]))
    assert messages(doc) == ["controls[1]: duplicate ref 'ACME-01' (first used by entry 0)"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("review_cadence_days", "90", "controls[ACME-01].review_cadence_days: expected an integer, got a string"),
        ("review_cadence_days", True, "controls[ACME-01].review_cadence_days: expected an integer, got a boolean"),
        ("mappings", "acme-policy-2026:P-1", "controls[ACME-01].mappings: expected a list, got a string"),
        ("title", ["Register"], "controls[ACME-01].title: expected a string, got a list"),
        ("review_cadence_days", 4000, "controls[ACME-01].review_cadence_days: 4000 is outside 1–1095 days"),
    ],
)
def test_it_names_a_value_of_the_wrong_type(field, value, expected):
    doc = document()
    doc["controls"][0][field] = value
    assert messages(doc) == [expected]


def test_it_lists_every_problem_not_just_the_first():
    doc = document()
    doc["version"] = 2
    doc["frameworks"][0]["url"] = "intranet"
    doc["controls"][0]["domain"] = "securty"
    doc["controls"][0]["applies_when"] = {"flag": "can_fly"}
    doc["threats"][0]["controls"] = ["ACME-99"]
    doc["threats"][0]["surface"] = "aura"
    assert messages(doc) == [
        "version: 2 is not a supported version (expected 1)",
        "frameworks[acme-policy-2026].url: 'intranet' is not an http(s) URL",
        "controls[ACME-01].domain: 'securty' is not one of security, safety, both",
        "controls[ACME-01].applies_when.flag: unknown capability flag 'can_fly'",
        "threats[ACME-T1].surface: 'aura' is not one of input, training_data, model_weights, tools, output, "
        "memory, supply_chain",
        "threats[ACME-T1].controls[0]: unknown control 'ACME-99'",
    ]


def test_it_refuses_unknown_fields_so_typos_are_not_lost():
    doc = document()
    doc["controls"][0]["gudiance"] = "Check the register weekly."
    doc["extra"] = []
    (top, field) = messages(doc)
    assert top == "extra: unknown top-level key (expected version, frameworks, controls, threats, scenarios)"
    assert field.startswith("controls[ACME-01].gudiance: unknown field (expected one of ref, title")


def test_it_checks_rules_deep_inside_any_all_and_not():
    doc = document()
    doc["controls"][0]["applies_when"] = {"all": [{"flag": "uses_tools"}, {"not": {"field": "exposure", "in": []}}]}
    assert messages(doc) == ["controls[ACME-01].applies_when.all[1].not.in: expected a non-empty list of values"]


def test_it_checks_item_parents_and_their_loops():
    doc = document()
    items = doc["frameworks"][0]["items"]
    items[0]["parent"] = "P-1.1"
    items.append({"ref": "P-2", "title": "Orphan", "parent": "P-9"})
    assert messages(doc) == [
        "frameworks[acme-policy-2026].items[P-2].parent: 'P-9' is not another item of acme-policy-2026",
        "frameworks[acme-policy-2026].items[P-1].parent: the parent chain of 'P-1' loops back to itself",
        "frameworks[acme-policy-2026].items[P-1.1].parent: the parent chain of 'P-1.1' loops back to itself",
    ]


def test_a_scenario_verdict_must_follow_from_its_answers():
    doc = document()
    doc["scenarios"][0]["expected_domain"] = "security"
    assert messages(doc) == ["scenarios[ACME-S1].expected_domain: the answers give 'safety', not 'security'"]


def test_an_organisation_may_not_reuse_builtin_refs_and_keys():
    known = Known(reserved={"controls": frozenset({"ACME-01"}), "frameworks": frozenset({"acme-policy-2026"})})
    doc = document()
    doc["controls"][0]["mappings"] = ["acme-policy-2026:P-1"]
    assert messages(doc, known)[:2] == [
        "frameworks[acme-policy-2026].key: 'acme-policy-2026' is already used by the built-in library",
        "controls[ACME-01].ref: 'ACME-01' is already used by the built-in library",
    ]


def test_it_rejects_a_document_that_is_not_a_mapping():
    assert messages([1, 2]) == ["(document): expected a mapping at the top level, got a list"]


def test_parse_reads_yaml_and_json_and_names_the_line_of_a_syntax_error():
    assert parse("version: 1\ncontrols: []\n") == {"version": 1, "controls": []}
    assert parse(b'{"version": 1}', name="lib.json") == {"version": 1}
    with pytest.raises(LibraryInvalid) as yaml_error:
        parse("version: 1\ncontrols: [\n  - ref: x\n", name="lib.yaml")
    assert yaml_error.value.errors[0].path.startswith("line ")
    with pytest.raises(LibraryInvalid) as json_error:
        parse('{"version": 1,\n "controls": ]}', name="lib.json")
    assert str(json_error.value.errors[0]) == "line 2: invalid JSON: Expecting value"
    with pytest.raises(LibraryInvalid) as encoding_error:
        parse(b"\xff\xfe version", name="lib.yaml")
    assert "not UTF-8" in str(encoding_error.value.errors[0])


def test_a_duplicate_item_is_named_inside_its_framework():
    doc = document()
    doc["frameworks"][0]["items"].append({"ref": "P-1", "title": "Again"})
    assert messages(doc) == ["frameworks[acme-policy-2026].items[2]: duplicate ref 'P-1' (first used by entry 0)"]
