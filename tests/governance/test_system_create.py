import pytest
from django.urls import reverse

from audit.models import AuditEvent
from governance.models import AISystem


@pytest.fixture
def url(org):
    return reverse("governance:system_create", args=[org.slug])


def valid_data(team, **overrides):
    data = {
        "name": "Claims Triage Assistant",
        "description": "Reads insurance claims and suggests a priority.",
        "owner_team": team.pk,
        "lifecycle_stage": "development",
        "system_type": "chat_assistant",
        "provenance": "third_party_api",
        "model_details": "Hosted LLM",
        "exposure": "internal",
        "autonomy": "human_in_loop",
        "generates_text": "on",
        "processes_personal_data": "on",
        "eu_ai_act_tier": "limited",
        "operator_role": "deployer",
    }
    data.update(overrides)
    return data


def test_it_creates_a_system_and_records_it(client_for, member, team, org, url):
    response = client_for(member).post(url, valid_data(team))
    system = AISystem.objects.get(name="Claims Triage Assistant")
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:system_detail", args=[org.slug, system.pk])
    assert system.organisation == org
    assert system.generates_text and system.processes_personal_data and not system.uses_tools
    assert system.created_by == member
    event = AuditEvent.objects.get(action="governance.aisystem.created")
    assert event.actor == member
    assert event.after["name"] == "Claims Triage Assistant"
    assert event.after["owner_team"] == team.pk


def test_invalid_form_rerenders_with_errors_and_saves_nothing(client_for, member, team, url):
    response = client_for(member).post(url, valid_data(team, name="", system_type="agent"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors
    assert "uses_tools" in form.errors  # an agent must use tools
    assert AISystem.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert b"nothing was saved" in response.content


def test_it_rejects_a_duplicate_name_case_insensitively(client_for, member, team, url):
    client_for(member).post(url, valid_data(team))
    response = client_for(member).post(url, valid_data(team, name="claims triage ASSISTANT"))
    assert "name" in response.context["form"].errors
    assert AISystem.objects.count() == 1


def test_it_refuses_a_team_of_another_organisation(client_for, member, url, outsider):
    from tests.factories import TeamFactory

    foreign = TeamFactory(organisation=outsider.memberships.get().organisation)
    response = client_for(member).post(url, valid_data(foreign))
    assert "owner_team" in response.context["form"].errors
    assert AISystem.objects.count() == 0


def test_prohibited_tier_cannot_be_in_production(client_for, member, team, url):
    response = client_for(member).post(url, valid_data(team, eu_ai_act_tier="prohibited", lifecycle_stage="production"))
    assert "eu_ai_act_tier" in response.context["form"].errors


def test_it_403s_for_viewer_and_auditor(client_for, viewer, auditor, team, url):
    for user in (viewer, auditor):
        assert client_for(user).post(url, valid_data(team)).status_code == 403
    assert AISystem.objects.count() == 0
