import pytest
from django.urls import reverse

from audit.models import AuditEvent
from governance.models import AISystem
from tests.factories import AISystemFactory


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team)


def url(system):
    return reverse("governance:system_retire", args=[system.organisation.slug, system.pk])


def test_lead_retires_with_a_reason_and_nothing_is_deleted(client_for, lead, system):
    response = client_for(lead).post(
        url(system), {"reason": "Replaced by the new assistant.", "version": system.version}
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.is_retired and system.retired_by == lead
    assert system.retirement_reason == "Replaced by the new assistant."
    assert AISystem.objects.filter(pk=system.pk).exists()
    assert AuditEvent.objects.filter(action="governance.aisystem.retired", object_id=str(system.pk)).exists()


def test_a_reason_is_required(client_for, lead, system):
    response = client_for(lead).post(url(system), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    system.refresh_from_db()
    assert not system.is_retired


def test_member_cannot_retire(client_for, member, system):
    assert client_for(member).post(url(system), {"reason": "x"}).status_code == 403
    system.refresh_from_db()
    assert not system.is_retired


def test_retired_systems_leave_the_default_list_but_stay_findable(client_for, lead, system, org):
    client_for(lead).post(url(system), {"reason": "Gone", "version": system.version})
    list_url = reverse("governance:system_list", args=[org.slug])
    c = client_for(lead)
    assert system not in c.get(list_url).context["page"].object_list
    assert system in c.get(list_url, {"status": "retired"}).context["page"].object_list
    assert client_for(lead).get(reverse("governance:system_detail", args=[org.slug, system.pk])).status_code == 200


def test_a_retirement_from_a_stale_page_conflicts_instead_of_overwriting(client_for, lead, system):
    stale = system.version
    AISystem.objects.filter(pk=system.pk).update(version=stale + 1)  # someone saved meanwhile
    response = client_for(lead).post(url(system), {"reason": "Gone", "version": stale})
    assert response.status_code == 200
    assert response.context["conflict"] is not None
    system.refresh_from_db()
    assert system.retired_at is None
