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
    # components panel (active components); + the data version the panels are kept under
    with django_assert_num_queries(25):
        c.get(reverse("governance:system_detail", args=[system.organisation.slug, system.pk]))
    # A second view finds the panels kept: session, user, membership, system, other
    # organisations, the data version, and the audit pack panel, which is made on every view.
    with django_assert_num_queries(7):
        c.get(reverse("governance:system_detail", args=[system.organisation.slug, system.pk]))
    # … plus the events with their actors
    with django_assert_num_queries(6):
        c.get(reverse("governance:system_history", args=[system.organisation.slug, system.pk]))


def test_kept_panels_follow_audited_changes_and_the_audit_pack_panel_is_live(client_for, lead, member, system):
    """The Overview's panels are kept under the data version (an incident reported through its
    service shows on the next view); the audit pack panel is made on every view, since a pack's
    status moves as its worker builds it, with no audit event (core/extensions.py)."""
    from django.utils import timezone

    from incidents.services import incident_report
    from reports.models import AuditPack

    url = reverse("governance:system_detail", args=[system.organisation.slug, system.pk])
    c = client_for(lead)
    assert "Prompt leak" not in c.get(url).content.decode()
    pack = AuditPack.objects.create(organisation=system.organisation, ai_system=system, requested_by=lead)
    assert f"Latest: #{pack.pk}, Queued" in c.get(url).content.decode()
    AuditPack.objects.filter(pk=pack.pk).update(status=AuditPack.Status.RUNNING)
    assert f"Latest: #{pack.pk}, Building" in c.get(url).content.decode()
    incident_report(
        actor=member,
        organisation=system.organisation,
        data={
            "title": "Prompt leak",
            "description": "The assistant printed its instructions.",
            "detected_at": timezone.now(),
            "severity": "high",
            "hostile_intent": True,
            "harm_in_benign_use": False,
            "owner_team": system.owner_team,
        },
        systems=[system],
    )
    assert "Prompt leak" in c.get(url).content.decode()
