from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import Membership, Role
from audit.models import AuditEvent

User = get_user_model()


# Adding members is by invitation: tests/accounts/test_invitations.py.


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
        # session, user, membership, members + users, their teams, open invitations, other organisations
        with django_assert_num_queries(7):
            c.get(reverse("accounts:member_list", args=[org.slug]))
