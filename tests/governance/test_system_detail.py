import pytest
from django.urls import reverse

from tests.factories import AISystemFactory


@pytest.fixture
def system(org, team):
    return AISystemFactory(organisation=org, owner_team=team, uses_tools=True, dual_use_capability=True)


def test_it_shows_the_profile(client_for, viewer, system):
    response = client_for(viewer).get(reverse("governance:system_detail", args=[system.organisation.slug, system.pk]))
    body = response.content.decode()
    assert system.name in body
    assert "Uses tools or takes actions" in body
    assert "Dual-use scientific or frontier capability" in body
    assert "Edit profile" not in body  # viewers read only


def test_owner_team_member_sees_edit(client_for, member, system):
    response = client_for(member).get(reverse("governance:system_detail", args=[system.organisation.slug, system.pk]))
    assert "Edit profile" in response.content.decode()
    assert "Retire" not in response.content.decode()  # only leads retire


def test_history_tab_lists_changes(client_for, lead, system):
    edit = reverse("governance:system_edit", args=[system.organisation.slug, system.pk])
    client_for(lead).post(
        edit,
        {
            "name": system.name,
            "description": "Now with a new purpose.",
            "owner_team": system.owner_team_id,
            "lifecycle_stage": "production",
            "system_type": "chat_assistant",
            "provenance": "third_party_api",
            "exposure": "public",
            "autonomy": "none",
            "uses_tools": "on",
            "eu_ai_act_tier": "limited",
            "operator_role": "deployer",
            "version": 1,
        },
    )
    response = client_for(lead).get(reverse("governance:system_history", args=[system.organisation.slug, system.pk]))
    body = response.content.decode()
    assert "governance.aisystem.updated" in body
    assert "Now with a new purpose." in body


@pytest.mark.parametrize("n_events", [3, 30])
def test_detail_and_history_query_counts_are_constant(client_for, lead, system, n_events, django_assert_num_queries):
    from django.db import transaction

    from audit.services import record

    with transaction.atomic():
        for i in range(n_events):
            record(
                organisation=system.organisation,
                actor=lead,
                action="test.touched",
                obj=system,
                before={"n": i},
                after={"n": i + 1},
            )
    c = client_for(lead)
    c.get(reverse("governance:system_list", args=[system.organisation.slug]))  # remembers the organisation
    # session, user, membership, system (+team, users), other organisations,
    # + the readiness panel (readiness.extensions): the data version it is cached under, then (a
    # miss: the test's cache starts empty) control readiness and the gates (7 queries)
    # + the threat model panel and the risks' heat map (one query each), the red-team panel
    # (latest exercise, open high findings), the IR-plan panel (covering approved plans; their last
    # tabletops only when some plan covers the system), the incidents panel, the alignment panel
    # (latest version, latest decided review; its open conditions too when approved with conditions),
    # the audit pack panel (the system's latest pack; leads, admins and auditors see it), the
    # components panel (active components)
    with django_assert_num_queries(24):
        c.get(reverse("governance:system_detail", args=[system.organisation.slug, system.pk]))
    # … plus the events with their actors
    with django_assert_num_queries(6):
        c.get(reverse("governance:system_history", args=[system.organisation.slug, system.pk]))
