import pytest
from django.urls import reverse

from tests.factories import ControlFactory, FrameworkItemFactory, OrganisationFactory, ThreatFactory


@pytest.fixture
def threat(org):
    threat = ThreatFactory(ref="TH-02", title="Indirect prompt injection", description="Planted text <em>acts</em>.")
    threat.mappings.set([FrameworkItemFactory(ref="LLM01")])
    threat.controls.set([ControlFactory(ref="PH-01"), ControlFactory(ref="ACME-01", organisation=org)])
    return threat


def url(org, threat):
    return reverse("governance:threat_detail", args=[org.slug, threat.pk])


def test_it_shows_the_threat_its_mappings_and_suggested_controls(client_for, viewer, org, threat):
    response = client_for(viewer).get(url(org, threat))
    html = response.content.decode()
    assert "Planted text &lt;em&gt;acts&lt;/em&gt;." in html
    assert ":LLM01" in html
    assert [c.ref for c in response.context["controls"]] == ["ACME-01", "PH-01"]


def test_another_organisations_threat_is_404(client_for, viewer, org):
    theirs = ThreatFactory(organisation=OrganisationFactory())
    assert client_for(viewer).get(url(org, theirs)).status_code == 404


def test_anonymous_is_sent_to_login(client, org, threat):
    assert client.get(url(org, threat))["Location"].startswith(reverse("login"))
