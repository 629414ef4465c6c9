import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import ControlFactory, ThreatFactory


@pytest.fixture
def control(org):
    return ControlFactory(organisation=org, ref="ACME-01")


def url(org, control):
    return reverse("governance:control_retire", args=[org.slug, control.pk])


def test_it_retires_an_own_control_which_stays_readable_with_its_links(client_for, lead, org, control):
    threat = ThreatFactory(organisation=org)
    threat.controls.set([control])
    response = client_for(lead).post(url(org, control), {"reason": "Replaced by ACME-02.", "version": control.version})
    assert response.status_code == 302
    control.refresh_from_db()
    assert control.retired_at is not None and control.version == 2
    assert list(threat.controls.all()) == [control]
    event = AuditEvent.objects.get(action="governance.control.retired")
    assert event.after["reason"] == "Replaced by ACME-02."
    detail = client_for(lead).get(reverse("governance:control_detail", args=[org.slug, control.pk]))
    assert b"Retired on" in detail.content


def test_a_reason_is_required(client_for, lead, org, control):
    response = client_for(lead).post(url(org, control), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    control.refresh_from_db()
    assert control.retired_at is None


def test_a_builtin_control_cannot_be_retired_by_hand(client_for, lead, org):
    assert client_for(lead).post(url(org, ControlFactory(ref="PH-01")), {"reason": "x"}).status_code == 403


def test_anonymous_is_sent_to_login(client, org, control):
    assert client.get(url(org, control))["Location"].startswith(reverse("login"))
