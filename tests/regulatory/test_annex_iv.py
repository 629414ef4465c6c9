"""The Annex IV draft: every section, and missing information listed exactly for what is missing."""

import pytest
from django.urls import reverse

from alignment.models import AlignmentReview
from assessments.models import AssessmentAnswer, ControlAssignment
from components.models import Component
from regulatory import annex_iv
from regulatory.models import TechnicalFile
from risks.models import RiskScenario
from threats.models import RedTeamExercise, ThreatModel


def _empty_statement(name):
    return lambda rows: TechnicalFile.objects.filter(pk=rows["statements"].pk).update(**{name: ""})


def _drop_answer(question):
    return lambda rows: AssessmentAnswer.objects.filter(assessment=rows["assessment"], question=question).delete()


def _unverify(ref):
    return lambda rows: ControlAssignment.objects.filter(pk=rows[ref].pk).update(status="implemented")


def _drop_component(key):
    return lambda rows: Component.objects.filter(pk=rows[key].pk).delete()


# Each missing item and how to take its source away.
TAKE_AWAY = {
    "intended_use": _drop_answer("intended_use"),
    "worst_case": _drop_answer("worst_case"),
    "human_oversight": _drop_answer("human_oversight"),
    "models": _drop_component("models"),
    "datasets": _drop_component("datasets"),
    "tools": _drop_component("tools"),
    "threat_model": lambda rows: ThreatModel.objects.filter(pk=rows["threat_model"].pk).update(status="draft"),
    "red_team": lambda rows: RedTeamExercise.objects.filter(pk=rows["red_team"].pk).update(status="in_review"),
    "alignment_review": lambda rows: AlignmentReview.objects.filter(pk=rows["alignment"].pk).update(status="rejected"),
    "risk_register": lambda rows: RiskScenario.objects.filter(pk=rows["risk"].pk).update(status="changes_requested"),
    "robustness_controls": _unverify("Art.15"),
    "logging_controls": _unverify("Art.12"),
    "monitoring_controls": _unverify("Art.72"),
    **{name: _empty_statement(name) for name in TechnicalFile.TEXT_FIELDS},
}


def test_every_missing_item_has_a_way_to_take_it_away():
    assert set(TAKE_AWAY) == set(annex_iv.MISSING_KEYS)


def test_a_complete_system_misses_nothing_and_has_every_section(complete_file, high_risk):
    draft = annex_iv.build(high_risk)
    assert draft.missing == []
    assert [s.point for s in draft.sections] == [str(n) for n in range(1, 10)]
    assert all(s.title and s.prompt for s in draft.sections)
    labels = {label for s in draft.sections for label, _text in s.entries}
    assert {"Intended purpose", "Models", "Datasets", "Risk register", "Logging controls (Art. 12)"} <= labels
    metrics = dict(next(s for s in draft.sections if s.point == "4").entries)["Measured in alignment reviews"]
    assert "Selection-rate ratio: 97.5% ≥ 95% (passes)" in metrics


@pytest.mark.parametrize("key", sorted(TAKE_AWAY))
def test_exactly_the_item_whose_source_is_empty_is_missing(complete_file, high_risk, key):
    TAKE_AWAY[key](complete_file)
    draft = annex_iv.build(high_risk)
    assert [m.key for m in draft.missing] == [key]
    assert draft.missing[0].url.startswith(f"/o/{high_risk.organisation.slug}/")


def test_tools_are_missing_only_for_a_system_that_uses_tools(complete_file, high_risk):
    Component.objects.filter(pk=complete_file["tools"].pk).delete()
    high_risk.uses_tools = False
    assert annex_iv.build(high_risk).missing == []


def test_a_system_with_nothing_recorded_misses_everything(high_risk):
    assert [m.key for m in annex_iv.build(high_risk).missing] == annex_iv.MISSING_KEYS


def test_the_page_lists_the_missing_items_with_links(client_for, lead, high_risk):
    response = client_for(lead).get(
        reverse("regulatory:technical_file", args=[high_risk.organisation.slug, high_risk.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    for key in annex_iv.MISSING_KEYS:
        assert f'data-missing="{key}"' in page
    edit = reverse("regulatory:technical_file_edit", args=[high_risk.organisation.slug, high_risk.pk])
    assert f'href="{edit}"' in page
    for point in range(1, 10):
        assert f'id="point-{point}"' in page
