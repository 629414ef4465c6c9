"""Parts of pages kept under the organisation's data version (audit.versions.kept_template): the
statement of applicability, framework coverage, the readiness dashboard, the team list, the risk
register and the incident list. A second view reads fewer queries (the part's rows are not read);
the next audited change shows on the next view; a part kept in several variants shows each reader
their own (the Decide buttons of the SoA, the domains of the dashboard)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Discipline, Role
from regulatory import services as regulatory_services
from tests.factories import AISystemFactory, FrameworkFactory, FrameworkItemFactory, TeamFactory
from tests.incidents.test_services import report
from tests.risks.factories import RiskScenarioFactory


def signed_in(user) -> Client:
    """A client of its own per reader (the `client_for` fixture signs one client in and out)."""
    client = Client()
    client.force_login(user)
    return client


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    return len(ctx.captured_queries), body[body.index("<main") :]  # the page's own part, without its CSRF token


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, name="Support assistant")


@pytest.fixture
def iso_item(db):
    iso = FrameworkFactory(key="iso-42001-2023", name="ISO/IEC 42001")
    return FrameworkItemFactory(framework=iso, ref="A.2.2", kind="control", position=1, title="AI policy")


def test_the_statement_is_kept_and_follows_a_decision(org, lead, viewer, iso_item):
    url = reverse("regulatory:soa", args=[org.slug])
    decide = reverse("regulatory:soa_decide", args=[org.slug, iso_item.pk])
    viewer_client, lead_client = signed_in(viewer), signed_in(lead)
    first, body = queries(viewer_client, url)
    assert "Not decided" in body and decide not in body
    again, body = queries(viewer_client, url)
    assert again < first and decide not in body
    # The lead's variant is kept apart: the viewer's kept part never offers them the button.
    assert decide in queries(lead_client, url)[1]
    assert decide not in queries(viewer_client, url)[1]
    regulatory_services.soa_decide(
        actor=lead,
        organisation=org,
        item=iso_item,
        applicability="included",
        justification="We publish an <b>AI policy</b>.",
        expected_version=None,
    )
    body = queries(viewer_client, url)[1]
    assert "Not decided" not in body and "We publish an &lt;b&gt;AI policy&lt;/b&gt;." in body


def test_framework_coverage_is_kept(client_for, org, team, auditor):
    AISystemFactory(organisation=org, owner_team=team, name="Alpha")
    url = reverse("readiness:coverage", args=[org.slug])
    c = client_for(auditor)
    first, body = queries(c, url)
    again, kept = queries(c, url)
    assert "Alpha" in body and again < first and kept == body


def test_the_dashboard_keeps_one_variant_per_set_of_domains(org, team, lead, make_member):
    url = reverse("readiness:dashboard", args=[org.slug])
    safety = make_member(Role.MEMBER, "safety-one", teams=[TeamFactory(organisation=org, discipline=Discipline.SAFETY)])
    lead_client = signed_in(lead)
    first, body = queries(lead_client, url)
    again, _ = queries(lead_client, url)
    assert again < first and "side-security" in body and "side-safety" in body
    body = queries(signed_in(safety), url)[1]
    assert "side-safety" in body and "side-security" not in body
    assert "side-security" in queries(lead_client, url)[1]


def test_the_team_list_is_kept_and_follows_a_new_team(client_for, org, admin, viewer):
    url = reverse("accounts:team_list", args=[org.slug])
    c = client_for(viewer)
    first, _ = queries(c, url)
    assert queries(c, url)[0] < first
    account_services.team_create(
        actor=admin, organisation=org, data={"name": "Red team", "discipline": Discipline.SECURITY}, members=[]
    )
    assert "Red team" in queries(c, url)[1]


def test_the_risk_register_is_kept_and_follows_the_next_change(client_for, org, system, lead, viewer):
    RiskScenarioFactory(ai_system=system, title="Model theft through the API")
    url = reverse("risks:register", args=[org.slug])
    c = client_for(viewer)
    first, body = queries(c, url)
    again, kept = queries(c, url)
    assert "Model theft" in body and again < first and kept == body
    # A risk written without its audit event would not show until the next one: every service
    # records one, and this is what moves the kept register.
    from audit.services import record

    risk = RiskScenarioFactory(ai_system=system, title="Poisoned fine-tuning data")
    assert "Poisoned" not in queries(c, url)[1]
    record(organisation=org, actor=lead, action="risks.risk.created", obj=risk)
    assert "Poisoned" in queries(c, url)[1]


def test_the_incident_list_is_kept_and_follows_a_report(client_for, org, team, system, member, viewer):
    url = reverse("incidents:incident_list", args=[org.slug])
    report(member, org, [system], title="Jailbreak through a <i>role play</i>", owner_team=team)
    c = client_for(viewer)
    first, body = queries(c, url)
    again, kept = queries(c, url)
    assert "Jailbreak through a &lt;i&gt;role play&lt;/i&gt;" in body and again < first and kept == body
    report(
        member,
        org,
        [system],
        title="Biased answers to loan questions",
        hostile_intent=False,
        harm_in_benign_use=True,
        owner_team=team,
    )
    body = queries(c, url)[1]
    assert "Biased answers" in body and "2 incidents" in body


def test_an_empty_incident_list_still_offers_the_first_step(client_for, org, viewer):
    body = queries(client_for(viewer), reverse("incidents:incident_list", args=[org.slug]))[1]
    assert "No incident reported yet." in body
