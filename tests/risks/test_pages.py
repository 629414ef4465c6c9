"""Risk register pages: the form's triage, the five library examples, the register's filters and
heat map, follow-ups in My work, and constant query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import ControlAssignment
from governance.models import Scenario
from records.models import FollowUp
from risks.models import RiskScenario
from tests.assessments.factories import AssessmentFactory
from tests.factories import AISystemFactory, ControlFactory
from tests.risks.factories import FollowUpFactory, RiskScenarioFactory

DESIGN_VERDICTS = {
    "Prompt injection reveals internal instructions": "security",
    "Chatbot gives self-harm advice without prompting": "safety",
    "Agent schedules repeated appointments from a malformed input": "both",
    "Poisoned training data changes how the model classifies inputs": "both",
    "LLM reinforces discriminatory hiring decisions": "safety",
}


def form_data(**overrides):
    data = {
        "title": "Jailbreak through pasted documents",
        "description": "A customer pastes a document that carries instructions.",
        "hostile_intent": "on",
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "residual_likelihood": "2",
        "residual_impact": "3",
        "treatment": "mitigate",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_five_library_examples_are_added_in_one_click_each_with_their_triage(
    client_for, lead, org, system, safety_team, builtin_library
):
    url = reverse("risks:risk_add_example", args=[org.slug, system.pk])
    for scenario in Scenario.objects.builtin():
        assert client_for(lead).post(url, {"scenario": scenario.pk}).status_code == 302
    domains = {r.title: r.domain for r in RiskScenario.objects.all()}
    assert domains == DESIGN_VERDICTS
    both = RiskScenario.objects.filter(domain="both").first()
    assert both.cosigning_team is not None and both.cosigning_team != both.owner_team


def test_the_form_triages_and_routes(client_for, member, org, system, team, safety_team):
    url = reverse("risks:risk_create", args=[org.slug, system.pk])
    response = client_for(member).post(url, form_data(harm_in_benign_use="on"))
    risk = RiskScenario.objects.get()
    assert response.status_code == 302 and risk.domain == "both" and risk.author == member
    assert risk.owner_team == team and risk.cosigning_team == safety_team


def test_a_risk_with_neither_answer_is_refused_with_a_message(client_for, member, org, system):
    url = reverse("risks:risk_create", args=[org.slug, system.pk])
    response = client_for(member).post(url, form_data(hostile_intent=None))
    assert response.status_code == 200 and not RiskScenario.objects.exists()
    assert "at least one question" in response.content.decode()


@pytest.mark.parametrize("bad", [{"inherent_likelihood": "9"}, {"title": "x" * 500}, {"controls": ["abc"]}])
def test_malformed_input_is_a_form_error(client_for, member, org, system, bad):
    url = reverse("risks:risk_create", args=[org.slug, system.pk])
    assert client_for(member).post(url, form_data(**bad)).status_code == 200
    assert not RiskScenario.objects.exists()


def test_register_filters_and_heat_map_cells_match(client_for, viewer, org, system, team, safety_team):
    other = AISystemFactory(organisation=org, owner_team=safety_team)
    RiskScenarioFactory(ai_system=system, residual_likelihood=5, residual_impact=5)
    RiskScenarioFactory(ai_system=system, residual_likelihood=1, residual_impact=2)
    RiskScenarioFactory(ai_system=other, domain="safety", residual_likelihood=5, residual_impact=5)
    url = reverse("risks:register", args=[org.slug])
    page = client_for(viewer).get(url)
    top_right = page.context["heat"][0][4]
    assert (top_right.likelihood, top_right.impact, top_right.count) == (5, 5, 2)
    cell = client_for(viewer).get(url, {"likelihood": 5, "impact": 5})
    assert cell.context["page"].paginator.count == 2
    assert client_for(viewer).get(url, {"band": "critical"}).context["page"].paginator.count == 2
    assert client_for(viewer).get(url, {"domain": "safety"}).context["page"].paginator.count == 1
    assert client_for(viewer).get(url, {"ai_system": other.pk}).context["page"].paginator.count == 1
    assert client_for(viewer).get(url, {"team": safety_team.pk}).context["page"].paginator.count == 1
    assert client_for(viewer).get(url, {"band": "nonsense", "ai_system": "x"}).status_code == 200


def test_expiring_filter(client_for, viewer, org, system):
    today = timezone.localdate()
    RiskScenarioFactory(ai_system=system, acceptance="accepted", acceptance_until=today + dt.timedelta(days=10))
    RiskScenarioFactory(ai_system=system, acceptance="accepted", acceptance_until=today + dt.timedelta(days=100))
    url = reverse("risks:register", args=[org.slug])
    assert client_for(viewer).get(url, {"expiring": "on"}).context["page"].paginator.count == 1


def test_the_system_page_shows_the_heat_map(client_for, viewer, org, system):
    RiskScenarioFactory(ai_system=system, residual_likelihood=4, residual_impact=4)
    RiskScenarioFactory(ai_system=system, residual_likelihood=5, residual_impact=4, acceptance="accepted")
    RiskScenarioFactory(ai_system=system, residual_likelihood=1, residual_impact=1)
    page = client_for(viewer).get(reverse("governance:system_detail", args=[org.slug, system.pk]))
    assert "1 high residual risk not accepted" in page.content.decode()
    assert b"heatmap" in page.content and b"heat-high" in page.content
    assert b"style=" not in page.content.split(b"heatmap", 1)[1]


def test_a_free_text_follow_up_shows_in_my_work_and_is_closed_there(client_for, member, lead, org, system, team):
    risk = RiskScenarioFactory(ai_system=system, author=lead)
    url = reverse("risks:risk_follow_up", args=[org.slug, risk.pk])
    response = client_for(member).post(url, {"title": "Add an input filter", "due_date": "2099-01-01"})
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.owner_team == team  # routed by the risk's domain (security)
    work = client_for(member).get(reverse("assessments:work_list", args=[org.slug]))
    assert "Add an input filter" in work.content.decode()
    assert reverse("risks:risk_detail", args=[org.slug, risk.pk]) in work.content.decode()
    close = reverse("records:follow_up_act", args=[org.slug, follow_up.pk])
    client_for(member).post(close, {"action": "close", "version": follow_up.version})
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.closed_by == member
    # The teams' follow-ups are kept under the data version: the audited close turns them over.
    work = client_for(member).get(reverse("assessments:work_list", args=[org.slug]))
    assert "Add an input filter" not in work.content.decode()


def test_a_control_follow_up_becomes_an_assignment_of_the_system(client_for, lead, org, system, team):
    AssessmentFactory(ai_system=system)
    risk = RiskScenarioFactory(ai_system=system, author=lead)
    control = ControlFactory(ref="CTL-9", domain="security")
    url = reverse("risks:risk_follow_up", args=[org.slug, risk.pk])
    assert client_for(lead).post(url, {"control": control.pk}).status_code == 302
    assignment = ControlAssignment.objects.get(ai_system=system, control=control)
    assert assignment.owner_team == team
    assert FollowUp.objects.get().assignment == assignment


def test_a_control_follow_up_without_an_assessment_is_refused_with_a_message(client_for, lead, org, system):
    risk = RiskScenarioFactory(ai_system=system, author=lead)
    url = reverse("risks:risk_follow_up", args=[org.slug, risk.pk])
    response = client_for(lead).post(url, {"control": ControlFactory().pk})
    assert response.status_code == 200 and "no assessment" in response.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_register_query_count_is_constant(client_for, viewer, org, system, rows, django_assert_num_queries):
    RiskScenarioFactory.create_batch(rows, ai_system=system)
    client = client_for(viewer)
    with django_assert_num_queries(17):
        assert client.get(reverse("risks:register", args=[org.slug])).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_system_tab_query_count_is_constant(client_for, viewer, org, system, rows, django_assert_num_queries):
    RiskScenarioFactory.create_batch(rows, ai_system=system)
    client = client_for(viewer)
    with django_assert_num_queries(15):
        assert client.get(reverse("risks:system_risks", args=[org.slug, system.pk])).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_query_count_is_constant(client_for, viewer, lead, org, system, rows, django_assert_num_queries):
    risk = RiskScenarioFactory(ai_system=system, author=lead)
    risk.controls.set(ControlFactory.create_batch(rows))
    FollowUpFactory.create_batch(rows, source=risk)
    client = client_for(viewer)
    with django_assert_num_queries(14):
        assert client.get(reverse("risks:risk_detail", args=[org.slug, risk.pk])).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_my_work_query_count_is_constant_with_follow_ups(
    client_for, member, lead, org, system, rows, django_assert_num_queries
):
    risk = RiskScenarioFactory(ai_system=system, author=lead)
    FollowUpFactory.create_batch(rows, source=risk)
    client = client_for(member)
    # 16 + the incidents the member's teams handle + the data version the row count is kept under
    with django_assert_num_queries(18):
        assert client.get(reverse("assessments:work_list", args=[org.slug])).status_code == 200
