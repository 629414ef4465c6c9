from django.core.cache import cache
from django.urls import reverse

from accounts.models import Team
from audit.models import AuditEvent
from tests.factories import TeamFactory


def test_admin_creates_a_team_with_lead_and_members(client_for, admin, org, member, lead):
    response = client_for(admin).post(
        reverse("accounts:team_create", args=[org.slug]),
        {
            "name": "Responsible AI",
            "discipline": "safety",
            "description": "",
            "lead": lead.pk,
            "members": [member.pk],
        },
    )
    team = Team.objects.get(name="Responsible AI")
    assert response.status_code == 302
    assert set(team.members.all()) == {member, lead}  # the lead joins the team they lead
    event = AuditEvent.objects.get(action="accounts.team.created")
    assert event.after["discipline"] == "safety"


def test_team_names_are_unique_in_an_organisation(client_for, admin, org, team):
    response = client_for(admin).post(
        reverse("accounts:team_create", args=[org.slug]), {"name": "security engineering", "discipline": "security"}
    )
    assert "name" in response.context["form"].errors


def test_lead_must_belong_to_the_organisation(client_for, admin, org, outsider):
    response = client_for(admin).post(
        reverse("accounts:team_create", args=[org.slug]), {"name": "X", "discipline": "other", "lead": outsider.pk}
    )
    assert "lead" in response.context["form"].errors
    assert not Team.objects.filter(name="X").exists()


def test_edit_records_before_and_after(client_for, admin, org, team, member):
    client_for(admin).post(
        reverse("accounts:team_edit", args=[org.slug, team.pk]),
        {
            "name": team.name,
            "discipline": "both",
            "description": "",
            "members": [member.pk],
            "version": team.version,
        },
    )
    team.refresh_from_db()
    assert team.discipline == "both"
    event = AuditEvent.objects.get(action="accounts.team.updated")
    assert event.before["discipline"] == "security" and event.after["discipline"] == "both"


def test_concurrent_team_edit_is_a_conflict(client_for, admin, org, team):
    url = reverse("accounts:team_edit", args=[org.slug, team.pk])
    data = {"name": team.name, "discipline": "safety", "description": "", "version": 1}
    client_for(admin).post(url, data)
    response = client_for(admin).post(url, {**data, "discipline": "other"})
    assert response.status_code == 200 and response.context["conflict"]
    team.refresh_from_db()
    assert team.discipline == "safety"


def test_team_list_query_count_is_constant(client_for, viewer, org, django_assert_num_queries):
    for n in (3, 30):
        TeamFactory.create_batch(n, organisation=org)
        c = client_for(viewer)
        c.get(reverse("accounts:team_list", args=[org.slug]))
        # session, user, membership, teams with counts and leads, other organisations
        with django_assert_num_queries(5):
            c.get(reverse("accounts:team_list", args=[org.slug]))


def test_team_page_query_count_is_constant(client_for, viewer, org, team, make_member, django_assert_num_queries):
    from tests.factories import AISystemFactory

    url = reverse("accounts:team_detail", args=[org.slug, team.pk])
    c = client_for(viewer)
    c.get(url)
    for n in (3, 30):
        for i in range(n):
            make_member("member", f"team-page-{n}-{i}", teams=[team])
            AISystemFactory(organisation=org, owner_team=team)
        cache.clear()
        # session, user, membership, team, members, systems, history, data version, team load
        # (2) and its people, other organisations
        with django_assert_num_queries(12):
            response = c.get(url)
        assert len(response.context["members"]) >= n
        with django_assert_num_queries(9):  # the load panel from the cache until the data changes
            c.get(url)
