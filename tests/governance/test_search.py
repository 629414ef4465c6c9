"""Search in the top bar: grouped by kind, own organisation and built-ins only, constant queries."""

import pytest
from django.urls import reverse

from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory
from tests.components.factories import ComponentFactory
from tests.factories import (
    AISystemFactory,
    ControlFactory,
    FrameworkFactory,
    FrameworkItemFactory,
    OrganisationFactory,
    ThreatFactory,
)
from tests.incidents.factories import IncidentFactory
from tests.risks.factories import RiskScenarioFactory
from tests.threats.factories import RedTeamExerciseFactory, ThreatModelFactory


@pytest.fixture
def url(org):
    return reverse("governance:search", args=[org.slug])


def kinds(response) -> dict[str, list[str]]:
    return {g.kind: [h.title for h in g.hits] for g in response.context["groups"] if g.hits}


@pytest.fixture
def library(db):
    llm = FrameworkFactory(key="owasp-llm-2025", name="OWASP Top 10 for LLM Applications 2025")
    item = FrameworkItemFactory(framework=llm, ref="LLM01", title="Prompt Injection")
    ControlFactory(ref="AC-03", title="Separate instructions from untrusted content", mappings=[item])
    ThreatFactory(ref="TH-01", title="Direct prompt injection")
    return item


def test_it_finds_every_kind_grouped(client_for, lead, org, team, url, library):
    system = AISystemFactory(organisation=org, owner_team=team, name="Hiring Screener")
    assignment = ControlAssignmentFactory(ai_system=system, control__ref="AC-77", control__title="Hiring fairness test")
    c = client_for(lead)
    found = kinds(c.get(url, {"q": "hiring"}))
    assert found["systems"] == ["Hiring Screener"]
    assert found["assignments"] == ["Hiring fairness test"]
    assert found["assessments"] == ["Assessment of Hiring Screener"]
    assert kinds(c.get(url, {"q": "LLM01"}))["framework_items"] == ["Prompt Injection"]
    assert kinds(c.get(url, {"q": "owasp-llm-2025:llm01"})) == {"framework_items": ["Prompt Injection"]}
    assert kinds(c.get(url, {"q": "AC-03"}))["controls"] == ["Separate instructions from untrusted content"]
    assert kinds(c.get(url, {"q": "TH-01"}))["threats"] == ["Direct prompt injection"]
    html = c.get(url, {"q": "hiring"}).content.decode()
    assert reverse("assessments:assignment_detail", args=[org.slug, assignment.pk]) in html
    assert reverse("governance:system_detail", args=[org.slug, system.pk]) in html
    item_link = f"?framework=owasp-llm-2025#item-{library.pk}"
    assert item_link in c.get(url, {"q": "LLM01"}).content.decode()


def test_another_organisations_rows_are_never_found(client_for, viewer, org, url):
    other = OrganisationFactory(slug="rival")
    foreign = AISystemFactory(organisation=other, name="Secret Hiring Model")
    AssessmentFactory(ai_system=foreign)
    ControlFactory(organisation=other, ref="OWN-1", title="Their hiring control")
    ThreatFactory(organisation=other, ref="OWN-T", title="Their hiring threat")
    response = client_for(viewer).get(url, {"q": "hiring"})
    assert response.status_code == 200
    assert kinds(response) == {}
    assert "Secret" not in response.content.decode()


def test_query_count_is_constant(client_for, lead, org, team, url, django_assert_num_queries):
    c = client_for(lead)
    c.get(url)
    for rows in (1, 20):
        for i in range(rows):
            system = AISystemFactory(organisation=org, owner_team=team, name=f"Hiring {rows}-{i}")
            ControlAssignmentFactory(ai_system=system, control__title=f"Hiring check {rows}-{i}")
        # session, user, membership, six kinds, the records of every type (one UNION ALL), the
        # components, other organisations (switcher)
        with django_assert_num_queries(12):
            response = c.get(url, {"q": "hiring"})
        assert len(response.context["groups"][0].hits) == min(rows * 2 if rows > 1 else 1, 8)


@pytest.mark.parametrize("q", ["", "   ", "\x00", "a" * 5000, "'; DROP TABLE x; --", "%", "a:b:c", ":"])
def test_any_input_gives_a_page(client_for, viewer, url, q):
    response = client_for(viewer).get(url, {"q": q})
    assert response.status_code == 200


def test_the_top_bar_has_the_search_box(client_for, viewer, org, url):
    html = client_for(viewer).get(reverse("governance:system_list", args=[org.slug])).content.decode()
    assert f'action="{url}"' in html and 'id="topbar-search"' in html


def test_records_and_components_are_found_by_title_latest_version_only(client_for, viewer, org, team, url):
    system = AISystemFactory(organisation=org, owner_team=team, name="Support Chatbot")
    risk = RiskScenarioFactory(ai_system=system, title="Injection leaks order data", status="approved")
    RiskScenarioFactory(ai_system=system, title="Injection leaks order data (old)", is_latest=False)
    ThreatModelFactory(ai_system=system, title="Chat widget injection model")
    RedTeamExerciseFactory(ai_system=system, title="Q4 injection drill")
    incident = IncidentFactory(system=system, title="Injection through a pasted e-mail")
    ComponentFactory(ai_system=system, name="Injection classifier", description="Flags hidden instructions.")
    other = AISystemFactory(organisation=OrganisationFactory(slug="rival"), name="Rival bot")
    RiskScenarioFactory(ai_system=other, title="Injection at the rival")

    response = client_for(viewer).get(url, {"q": "injection"})
    found = kinds(response)
    assert found["records"] == [
        "Chat widget injection model",
        "Injection leaks order data",
        "Injection through a pasted e-mail",
        "Q4 injection drill",
    ]
    assert found["components"] == ["Injection classifier"]
    hits = {h.title: h for g in response.context["groups"] for h in g.hits}
    assert hits["Injection leaks order data"].detail == "Risk scenario · Support Chatbot · Approved"
    assert hits["Injection through a pasted e-mail"].detail == "Incident · Open"
    html = response.content.decode()
    assert reverse("risks:risk_detail", args=[org.slug, risk.pk]) in html
    assert reverse("incidents:incident_detail", args=[org.slug, incident.pk]) in html
    assert "rival" not in html.lower()
