"""Malformed and hostile library input (issue 9, findings 4 and 5): each case is a `path: reason`
report, never a server error, and rules stored before the bounds existed never break a page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import AssessmentStatus
from governance.applicability import MAX_RULE_DEPTH, UNREADABLE, describe, evaluate
from governance.library import LibraryInvalid
from governance.library.documents import MAX_DEPTH, parse
from governance.library.exporter import UNREADABLE_RULE, export_library
from governance.library.schema import validate
from governance.models import Control
from tests.assessments.conftest import answer_everything
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory, FrameworkFactory, FrameworkItemFactory
from tests.governance.library.test_library_import import control


def nested_not(depth: int) -> dict | str:
    rule = {"flag": "uses_tools"}
    for _ in range(depth):
        rule = {"not": rule}
    return rule


def framework(**changes):
    entry = {"key": "k", "edition": "1", "name": "K", "url": "https://example.com/", "licence": "internal"}
    return {**entry, **changes}


def messages(document) -> list[str]:
    return [str(error) for error in validate(document)]


# --- the checker -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"version": 1, "frameworks": 5}, "frameworks: expected a list, got an integer"),
        ({"version": 1, "controls": [control(ref=["A"])]}, "controls[0].ref: expected a string, got a list"),
        ({"version": 1, "controls": [control(ref={"a": 1})]}, "controls[0].ref: expected a string, got a mapping"),
        ({"version": 1, "threats": [{"ref": ["T"], "title": "x"}]}, "threats[0].ref: expected a string, got a list"),
        (
            {"version": 1, "controls": [control(applies_when={"flag": ["uses_tools"]})]},
            "controls[ACME-01].applies_when.flag: unknown capability flag ['uses_tools']",
        ),
        (
            {"version": 1, "controls": [control(applies_when={"field": ["exposure"], "in": ["public"]})]},
            "controls[ACME-01].applies_when.field: unknown profile field ['exposure']",
        ),
        (
            {"version": 1, "controls": [control(applies_when={"field": "exposure", "in": [{"a": 1}]})]},
            "controls[ACME-01].applies_when.in: {'a': 1} is not a value of exposure",
        ),
        (
            {"version": 1, "controls": [control(applies_when={1: "x", "y": 2})]},
            "controls[ACME-01].applies_when: unexpected keys 'y', 1",
        ),
        (
            {"version": 1, "controls": [control(applies_when=nested_not(700))]},
            f"controls[ACME-01].applies_when: the rule nests deeper than {MAX_RULE_DEPTH} levels",
        ),
        (
            {"version": 1, "controls": [control(applies_when={"any": [{"flag": "uses_tools"}] * 300})]},
            "controls[ACME-01].applies_when: the rule has more than 200 parts",
        ),
        (
            {"version": 1, "controls": [control(title="Screen\x00uploads")]},
            "controls[ACME-01].title: contains a NUL character",
        ),
        (
            {"version": 1, "frameworks": [framework(items=[{"ref": ["A"], "title": "t"}, {"ref": "B", "title": "u"}])]},
            "frameworks[k].items[0].ref: expected a string, got a list",
        ),
    ],
)
def test_malformed_entries_are_reported_with_their_path(document, expected):
    assert any(message.startswith(expected) for message in messages(document)), messages(document)


def test_a_rule_at_the_depth_limit_is_accepted():
    assert messages({"version": 1, "controls": [control(applies_when=nested_not(MAX_RULE_DEPTH - 1))]}) == [
        "controls[ACME-01].mappings[0]: unknown item 'owasp-llm-2025:LLM01'"
    ]


# --- parsing -------------------------------------------------------------------------------------


def problems(content, name="library.yaml") -> list[str]:
    with pytest.raises(LibraryInvalid) as raised:
        parse(content, name=name)
    return [str(error) for error in raised.value.errors]


def test_yaml_anchors_and_aliases_are_refused():
    # 540 bytes that expand to millions of values with aliases (the "billion laughs").
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(12)
    )
    assert problems(bomb) == ["line 1: invalid YAML: anchors and aliases (& and *) are not allowed in a library file"]
    assert "not allowed" in problems("version: 1\ncontrols: &c []\nthreats: *c\n")[0]


def test_deeply_nested_documents_are_refused_in_json_and_yaml():
    assert problems("[" * 100_000 + "]" * 100_000, "deep.json") == [f"deep.json: nested deeper than {MAX_DEPTH} levels"]
    assert problems("a:\n" + "".join("  " * i + f"- b{i}:\n" for i in range(1, 60))) == [
        f"line {MAX_DEPTH // 2 + 1}: invalid YAML: nested deeper than {MAX_DEPTH} levels"
    ]


def test_numbers_beyond_the_digit_limit_are_an_error_not_an_exception():
    assert problems('{"version": ' + "9" * 5000 + "}", "big.json")[0].startswith("big.json: invalid JSON: Exceeds")
    assert problems("version: " + "9" * 5000)[0].startswith("library.yaml: invalid YAML: Exceeds")


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    assert problems(b"#" * (5 * 1024 * 1024 + 1)) == ["library.yaml: larger than 5 MB"]


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def llm01(db):
    return FrameworkItemFactory(framework=FrameworkFactory(key="owasp-llm-2025"), ref="LLM01")


def upload(content: bytes, name="acme.json"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (json.dumps({"version": 1, "frameworks": 5}), "frameworks"),
        (json.dumps({"version": 1, "frameworks": [{"key": ["k"]}]}), "frameworks[0].key"),
        (json.dumps({"version": 1, "controls": [control(ref=["A"])]}), "controls[0].ref"),
        (json.dumps({"version": 1, "controls": [control(applies_when={"flag": ["x"]})]}), "applies_when.flag"),
        (json.dumps({"version": 1, "controls": [control(applies_when=nested_not(30))]}), "applies_when"),
        (json.dumps({"version": 1, "controls": [control(applies_when=nested_not(700))]}), "acme.json"),
        (json.dumps({"version": 1, "controls": [control(objective="a\x00b")]}), "controls[ACME-01].objective"),
        ("[" * 50_000 + "]" * 50_000, "acme.json"),
        ('{"version": ' + "9" * 5000 + "}", "acme.json"),
    ],
)
def test_the_import_page_reports_malformed_files(client_for, lead, org, llm01, content, expected):
    response = client_for(lead).post(
        reverse("governance:library_import", args=[org.slug]), {"file": upload(content.encode())}
    )
    assert response.status_code == 200
    assert any(error.path.endswith(expected) for error in response.context["errors"]), response.context["errors"]
    assert not Control.objects.filter(organisation=org).exists()


def test_the_import_page_renders_one_csrf_field(client_for, lead, org):
    body = client_for(lead).get(reverse("governance:library_import", args=[org.slug])).content.decode()
    form = body[body.index('enctype="multipart/form-data"') :]
    assert form[: form.index("</form>")].count('name="csrfmiddlewaretoken"') == 1


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{flag: [uses_tools]}", "unknown capability flag ['uses_tools']"),
        ("{field: {a: 1}, in: [public]}", "unknown profile field {'a': 1}"),
        ("{field: exposure, in: [[public]]}", "['public'] is not a value of exposure"),
        ("{1: a, b: 2}", "unexpected keys"),
        ("&a [*a]", "anchors and aliases"),
        ("9" * 5000, "This is not a rule"),
        ("{not: " * 200 + "{flag: uses_tools}" + "}" * 200, "nested deeper than"),
    ],
)
def test_the_control_form_reports_malformed_rules(client_for, lead, org, llm01, rule, expected):
    data = {
        "ref": "ACME-01",
        "title": "Second review",
        "objective": "A second person reviews each prompt.",
        "domain": "security",
        "practice": "prompt_hardening",
        "applies_when": rule,
        "review_cadence_days": "180",
        "mappings": "owasp-llm-2025:LLM01",
    }
    response = client_for(lead).post(reverse("governance:control_create", args=[org.slug]), data)
    assert response.status_code == 200
    assert expected in " ".join(response.context["form"].errors["applies_when"])
    assert not Control.objects.filter(organisation=org).exists()


# --- rules stored before the bounds existed ------------------------------------------------------


def test_a_stored_rule_beyond_the_bounds_is_evaluated_and_described_without_recursion():
    match = evaluate(nested_not(5000), {"uses_tools": True})
    assert match.applies and match.reasons == [UNREADABLE]
    assert describe(nested_not(5000)).startswith("a rule Bastion cannot read")
    assert evaluate({"flag": ["uses_tools"]}, {}).reasons == [UNREADABLE]


def test_pages_with_a_stored_deep_rule_still_answer(client_for, lead, org):
    deep = ControlFactory(organisation=org, ref="ACME-99", applies_when=nested_not(700))
    system = AISystemFactory(organisation=org)
    assessment = AssessmentFactory(ai_system=system, status=AssessmentStatus.IN_PROGRESS)
    ControlAssignmentFactory(ai_system=system, control=deep, assessment=assessment)
    draft = AssessmentFactory(ai_system=AISystemFactory(organisation=org), status=AssessmentStatus.DRAFT)
    answer_everything(draft, lead)
    client = client_for(lead)
    detail = client.get(reverse("governance:control_detail", args=[org.slug, deep.pk]))
    assert detail.status_code == 200 and "cannot read" in detail.content.decode()
    assert client.get(reverse("governance:control_edit", args=[org.slug, deep.pk])).status_code == 200
    for shown in (assessment, draft):  # the confirmed plan, and a plan still being drawn up
        page = client.get(reverse("assessments:assessment_plan", args=[org.slug, shown.pk]), follow=True)
        assert page.status_code == 200
    # The draft's plan (kept since the loop's view) lists the control as a new one.
    plan = client.get(reverse("assessments:assessment_plan", args=[org.slug, draft.pk])).content.decode()
    assert "ACME-99" in plan.split(">New controls<")[1]
    exported = client.get(reverse("governance:library_export", args=[org.slug]), {"format": "yaml", "scope": "own"})
    assert exported.status_code == 200
    assert UNREADABLE_RULE in export_library(org, "json")


@pytest.mark.parametrize(
    "items",
    [
        "A | t | | A",  # its own parent
        "A | t | | B\nB | u | | A",  # a loop
        "A | t\nA | t",
        "x" * 100 + " | t",
        "A | t | no-such-kind",
        "A | t | | " + "p" * 200,
    ],
)
def test_the_framework_form_reports_malformed_items(client_for, lead, org, items):
    data = {
        "key": "acme-policy-2026",
        "name": "Acme AI policy",
        "edition": "2026",
        "url": "https://intranet.example.test/ai-policy",
        "licence": "internal",
        "items": items,
    }
    response = client_for(lead).post(reverse("governance:framework_create", args=[org.slug]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
