from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Membership, Role
from audit.models import AuditEvent
from tests.factories import UserFactory

User = get_user_model()


def test_admin_creates_an_account_and_gets_a_set_password_link(client_for, admin, org, team):
    response = client_for(admin).post(
        reverse("accounts:member_add", args=[org.slug]),
        {"username": "newbie", "email": "newbie@example.test", "role": Role.MEMBER, "teams": [team.pk]},
        follow=True,
    )
    user = User.objects.get(username="newbie")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organisation=org).role == Role.MEMBER
    assert team.members.filter(pk=user.pk).exists()
    assert "/accounts/password/reset/" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.membership.created", object_repr="newbie").exists()


def test_admin_adds_an_existing_account(client_for, admin, org):
    existing = UserFactory(username="known")
    client_for(admin).post(reverse("accounts:member_add", args=[org.slug]), {"username": "KNOWN", "role": Role.VIEWER})
    assert Membership.objects.get(user=existing, organisation=org).role == Role.VIEWER


def test_a_new_account_needs_an_email(client_for, admin, org):
    response = client_for(admin).post(
        reverse("accounts:member_add", args=[org.slug]), {"username": "x", "role": "member"}
    )
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="x").exists()


def test_adding_a_member_twice_is_refused(client_for, admin, org, member):
    response = client_for(admin).post(
        reverse("accounts:member_add", args=[org.slug]), {"username": member.username, "role": "member"}
    )
    assert "username" in response.context["form"].errors


def test_admin_changes_role_and_teams(client_for, admin, org, member, team):
    target = Membership.objects.get(user=member, organisation=org)
    response = client_for(admin).post(
        reverse("accounts:member_edit", args=[org.slug, target.pk]), {"role": Role.LEAD, "teams": []}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.LEAD
    assert not team.members.filter(pk=member.pk).exists()
    event = AuditEvent.objects.get(action="accounts.membership.updated")
    assert event.before == {"role": "member", "teams": ["Security Engineering"]}
    assert event.after == {"role": "lead", "teams": []}


def test_the_last_admin_cannot_be_demoted_or_removed(client_for, admin, org):
    own = Membership.objects.get(user=admin, organisation=org)
    c = client_for(admin)
    response = c.post(reverse("accounts:member_edit", args=[org.slug, own.pk]), {"role": Role.VIEWER})
    assert "role" in response.context["form"].errors
    c.post(reverse("accounts:member_remove", args=[org.slug, own.pk]))
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_removing_a_member_keeps_their_account(client_for, admin, org, member, team):
    target = Membership.objects.get(user=member, organisation=org)
    client_for(admin).post(reverse("accounts:member_remove", args=[org.slug, target.pk]))
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert User.objects.filter(pk=member.pk).exists()
    assert not team.members.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.membership.removed").exists()


def test_lead_cannot_manage_members(client_for, lead, org, member):
    target = Membership.objects.get(user=member, organisation=org)
    assert (
        client_for(lead)
        .post(reverse("accounts:member_edit", args=[org.slug, target.pk]), {"role": Role.ADMIN})
        .status_code
        == 403
    )
    target.refresh_from_db()
    assert target.role == Role.MEMBER


def test_member_list_query_count_is_constant(client_for, admin, org, make_member, django_assert_num_queries):
    for n in (3, 30):
        for i in range(n):
            make_member(Role.MEMBER, f"bulk-{n}-{i}")
        c = client_for(admin)
        c.get(reverse("accounts:member_list", args=[org.slug]))
        # session, user, membership, members + users, their teams, other organisations
        with django_assert_num_queries(6):
            c.get(reverse("accounts:member_list", args=[org.slug]))
