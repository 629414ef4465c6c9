"""Library 1.1 (issue 14): the built-in data passes the editorial checks and meets the coverage targets."""

import copy

import pytest
from django.core.management import CommandError, call_command

from governance.library import coverage, quality
from governance.library.documents import builtin_document

# The release's exact size; change these numbers together with the data.
CONTROLS, THREATS = 179, 75


@pytest.fixture(scope="module")
def document():
    return builtin_document()


def test_the_release_has_its_exact_counts(document):
    assert len(document["controls"]) == CONTROLS
    assert len(document["threats"]) == THREATS


def test_the_builtin_library_passes_the_quality_checks(document):
    assert [str(f) for f in quality.check(document, profiles=quality.demo_profiles())] == []


def test_the_builtin_library_meets_the_coverage_targets(document):
    result = coverage.report(document)
    assert result.shortfalls() == []
    assert result.reachability >= 0.70
    atlas = next(fw for fw in result.frameworks if fw.key == "mitre-atlas-5.6")
    assert atlas.count(coverage.COVERED, kinds=("mitigation",)) == 35


def test_every_nist_subcategory_has_a_control(document):
    nist = next(fw for fw in coverage.report(document).frameworks if fw.key == "nist-ai-rmf-1.0")
    subcategories = [row for row in nist.rows if row.kind == "subcategory"]
    assert len(subcategories) == 72
    assert all(row.controls for row in subcategories)


def test_articles_for_authorities_are_out_of_scope_with_a_reason(document):
    eu = next(fw for fw in document["frameworks"] if fw["key"] == "eu-ai-act-2024")
    scoped = {item["ref"]: item["out_of_scope"] for item in eu["items"] if item.get("out_of_scope")}
    assert {"Art.70", "Art.74", "Art.99"} <= scoped.keys()
    assert all(reason.strip() for reason in scoped.values())


def test_the_atlas_ids_folded_in_newer_releases_are_annotated(document):
    atlas = next(fw for fw in document["frameworks"] if fw["key"] == "mitre-atlas-5.6")
    notes = {item["ref"]: item.get("note", "") for item in atlas["items"]}
    for ref, successor in (("AML.T0019", "000"), ("AML.T0058", "001"), ("AML.T0104", "002")):
        assert f"AML.T0115.{successor}" in notes[ref]


# --- the checks themselves ------------------------------------------------------------------------


def small_document():
    control = {
        "ref": "X-01",
        "title": "Screen input for injected instructions",
        "objective": "Attackers cannot override the instructions.",
        "evidence_hint": "Screen logs.",
        "domain": "security",
        "applies_when": "always",
        "mappings": ["fw:A", "fw:B"],
    }
    return {
        "frameworks": [
            {"key": "fw", "name": "Framework", "items": [{"ref": "A", "title": "a"}, {"ref": "B", "title": "b"}]}
        ],
        "controls": [control],
        "threats": [{"ref": "T-01", "title": "Injection", "mappings": ["fw:A"], "controls": ["X-01"]}],
    }


NO_EXCEPTIONS = {"domain_wording": {}, "similar_titles": set(), "outside_demo": {}}


def findings(document, exceptions=NO_EXCEPTIONS, profiles=None):
    return [str(f) for f in quality.check(document, exceptions, profiles)]


def test_a_clean_document_has_no_findings():
    assert findings(small_document(), profiles=[{}]) == []


def test_unresolved_references_are_found():
    document = small_document()
    document["controls"][0]["mappings"].append("fw:Z")
    document["threats"][0]["controls"].append("X-99")
    assert findings(document) == [
        "controls[X-01]: mapping 'fw:Z' does not resolve",
        "threats[T-01]: control 'X-99' does not resolve",
    ]


def test_near_identical_titles_are_found_unless_excepted():
    document = small_document()
    twin = copy.deepcopy(document["controls"][0]) | {"ref": "X-02", "title": "Screen inputs for injected instructions!"}
    document["controls"].append(twin)
    assert findings(document) == ["controls[X-02]: title is nearly the same as X-01's"]
    excepted = NO_EXCEPTIONS | {"similar_titles": {frozenset({"X-01", "X-02"})}}
    assert findings(document, excepted) == []


@pytest.mark.parametrize(
    ("domain", "objective", "problem"),
    [
        ("security", "Answers stay accurate.", "should name the hostile intent"),
        ("safety", "Attackers cannot override the rules.", "names hostile intent ('Attackers')"),
        ("both", "Answers stay accurate.", None),
        ("safety", "Answers stay accurate for every group.", None),
    ],
)
def test_the_domain_must_match_the_intent_wording(domain, objective, problem):
    document = small_document()
    document["controls"][0] |= {"domain": domain, "objective": objective}
    found = findings(document)
    assert (problem in found[0]) if problem else found == []
    assert findings(document, NO_EXCEPTIONS | {"domain_wording": {"X-01": "reviewed"}}) == []


def test_a_control_needs_two_mappings_an_evidence_hint_and_a_demo_system():
    document = small_document()
    document["controls"][0] |= {"mappings": ["fw:A"], "evidence_hint": " ", "applies_when": {"flag": "multi_agent"}}
    assert findings(document, profiles=[{"multi_agent": False}]) == [
        "controls[X-01]: has no evidence hint",
        "controls[X-01]: needs at least 2 framework mappings",
        "controls[X-01]: applies to none of the demo systems",
    ]


def test_statuses_tell_covered_out_of_scope_grouping_and_uncovered_apart():
    items = [
        ("G", "", False, ""),
        ("G.1", "G", True, ""),
        ("G.2", "G", False, ""),
        ("H", "", False, "addressed to authorities"),
        ("K", "", False, ""),
    ]
    assert coverage.statuses(items) == {
        "G": coverage.SUB_ITEMS,
        "G.1": coverage.COVERED,
        "G.2": coverage.UNCOVERED,
        "H": coverage.OUT_OF_SCOPE,
        "K": coverage.UNCOVERED,
    }


def test_shortfalls_name_what_is_missing(document):
    thinner = copy.deepcopy(document)
    thinner["controls"] = [c for c in thinner["controls"] if "nist-ai-rmf-1.0:MEASURE 2.12" not in c["mappings"]]
    thinner["threats"] = thinner["threats"][:10]
    problems = coverage.report(thinner).shortfalls()
    assert "nist-ai-rmf-1.0:MEASURE 2.12: no control covers it and it is not marked out of scope" in problems
    assert "10 threats, below 70" in problems


# --- the command ----------------------------------------------------------------------------------


def test_the_committed_coverage_document_is_current_and_the_check_passes(capsys):
    call_command("library_coverage", "--check")
    assert "Coverage targets and library data checks pass." in capsys.readouterr().out


def test_the_check_fails_on_a_stale_document_and_writing_fixes_it(tmp_path):
    output = tmp_path / "coverage.md"
    output.write_text("old\n")
    with pytest.raises(CommandError, match="out of date"):
        call_command("library_coverage", "--check", "-o", str(output))
    call_command("library_coverage", "-o", str(output))
    assert "| `nist-ai-rmf-1.0` | 95 |" in output.read_text()
