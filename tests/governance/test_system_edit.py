import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from governance.models import AISystem
from tests.factories import AISystemFactory, TeamFactory


def form_data(system, **overrides):
    data = {
        "name": system.name,
        "description": system.description,
        "owner_team": system.owner_team_id,
        "lifecycle_stage": system.lifecycle_stage,
        "system_type": system.system_type,
        "provenance": system.provenance,
        "model_details": system.model_details,
        "exposure": system.exposure,
        "autonomy": system.autonomy,
        "generates_text": "on",
        "eu_ai_act_tier": system.eu_ai_act_tier,
        "operator_role": system.operator_role,
        "version": system.version,
    }
    data.update(overrides)
    return data


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, exposure="internal")


def url(system):
    return reverse("governance:system_edit", args=[system.organisation.slug, system.pk])


def test_owner_team_member_edits_and_the_change_is_audited(client_for, member, system):
    response = client_for(member).post(url(system), form_data(system, exposure="public"))
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.exposure == "public"
    assert system.version == 2
    event = AuditEvent.objects.get(action="governance.aisystem.updated")
    assert event.before == {"exposure": "internal", "version": 1}
    assert event.after == {"exposure": "public", "version": 2}


def test_member_of_another_team_gets_403(client_for, make_member, org, system):
    other_team = TeamFactory(organisation=org, name="Elsewhere")
    stranger = make_member(Role.MEMBER, teams=[other_team])
    assert client_for(stranger).post(url(system), form_data(system, exposure="public")).status_code == 403
    system.refresh_from_db()
    assert system.exposure == "internal"


def test_a_stale_save_is_refused_with_what_changed(client_for, member, lead, system):
    stale = form_data(system)  # both start from version 1
    client_for(lead).post(url(system), form_data(system, exposure="public"))
    response = client_for(member).post(url(system), {**stale, "autonomy": "autonomous"})
    assert response.status_code == 200
    system.refresh_from_db()
    assert system.exposure == "public" and system.autonomy == "none"  # nothing overwritten
    conflict = response.context["conflict"]
    assert conflict["version"] == 2
    assert [c for e in conflict["events"] for c in e.changes()] == [("exposure", "internal", "public")]
    assert b"Someone else saved this" in response.content
    # Saving again after seeing the conflict is a deliberate overwrite from the new version.
    assert response.context["form"].data["version"] == 2
    again = client_for(member).post(url(system), {**stale, "autonomy": "autonomous", "version": 2})
    assert again.status_code == 302
    system.refresh_from_db()
    assert system.autonomy == "autonomous"


def test_retired_system_cannot_be_edited(client_for, lead, system):
    system.retired_at = system.created_at
    system.save()
    assert client_for(lead).get(url(system)).status_code == 403


def test_a_foreign_id_is_404(client_for, member, outsider):
    foreign = AISystemFactory(organisation=outsider.memberships.get().organisation)
    response = client_for(member).get(reverse("governance:system_edit", args=["acme-test", foreign.pk]))
    assert response.status_code == 404
    assert AISystem.objects.get(pk=foreign.pk).name == foreign.name
