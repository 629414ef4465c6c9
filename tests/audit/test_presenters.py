from django.urls import reverse

from tests.factories import AISystemFactory, TeamFactory


def test_history_names_fields_teams_and_choices_for_people(client_for, lead, org, team):
    other = TeamFactory(organisation=org, name="Responsible AI")
    system = AISystemFactory(organisation=org, owner_team=team, exposure="internal")
    data = {
        "name": system.name,
        "description": system.description,
        "owner_team": other.pk,
        "lifecycle_stage": system.lifecycle_stage,
        "system_type": system.system_type,
        "provenance": system.provenance,
        "exposure": "public",
        "autonomy": system.autonomy,
        "generates_text": "on",
        "eu_ai_act_tier": system.eu_ai_act_tier,
        "operator_role": system.operator_role,
        "version": 1,
    }
    c = client_for(lead)
    c.post(reverse("governance:system_edit", args=[org.slug, system.pk]), data)
    response = c.get(reverse("governance:system_history", args=[org.slug, system.pk]))
    (event,) = [e for e in response.context["events"] if e.action == "governance.aisystem.updated"]
    assert ("Owner team", "Security Engineering", "Responsible AI") in event.display_changes
    assert ("Exposure", "Internal (staff only)", "Public (anyone)") in event.display_changes
    assert event.changes()[0][1] in (team.pk, "internal")  # what is stored stays raw
