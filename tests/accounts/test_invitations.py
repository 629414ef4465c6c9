"""Member invitations: consent before membership, no username enumeration, audited, hashed links."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import invitation_path, invitation_token
from accounts.models import Invitation, Membership, Role
from audit.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

User = get_user_model()


@pytest.fixture
def invite(client_for, admin, org):
    def post(invitee, role=Role.MEMBER, **extra):
        return client_for(admin).post(
            reverse("accounts:member_add", args=[org.slug]), {"invitee": invitee, "role": role, **extra}
        )

    return post


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitations/\S+)", message.body).group(1)


def test_inviting_by_email_sends_a_link_and_adds_nobody_yet(invite, org, team):
    response = invite("new.person@example.test", teams=[team.pk])
    assert response.status_code == 302
    invitation = Invitation.objects.get(organisation=org)
    assert [m.to for m in mail.outbox] == [["new.person@example.test"]]
    assert "Acme Test" in mail.outbox[0].subject
    assert link_in(mail.outbox[0]) == invitation_path(invitation)
    assert not User.objects.filter(email="new.person@example.test").exists()
    assert Membership.objects.filter(organisation=org).count() == 1  # only the admin
    event = AuditEvent.objects.get(action="accounts.invitation.created")
    assert event.after["invitee"] == "new.person@example.test" and event.after["teams"] == ["Security Engineering"]


def test_the_token_is_not_stored(invite, org):
    invite("someone@example.test")
    invitation = Invitation.objects.get()
    token = invitation_token(invitation)
    stored = [str(getattr(invitation, f.attname)) for f in Invitation._meta.concrete_fields]
    assert not any(token in value for value in stored)


def test_an_existing_account_is_not_added_without_consent(invite, org, outsider):
    """Issue 9 #7: an admin cannot make another organisation's admin a member of theirs."""
    invite(outsider.username, role=Role.ADMIN)
    assert not Membership.objects.filter(organisation=org, user=outsider).exists()
    assert mail.outbox[0].to == [outsider.email]  # the account's own address


def test_the_answer_is_the_same_whether_the_account_exists_or_not(client_for, admin, org, outsider):
    c = client_for(admin)
    url = reverse("accounts:member_add", args=[org.slug])
    known = c.post(url, {"invitee": outsider.username, "role": Role.MEMBER}, follow=True)
    unknown = c.post(url, {"invitee": "nobody-by-this-name", "role": Role.MEMBER}, follow=True)
    assert known.redirect_chain == [(reverse("accounts:member_list", args=[org.slug]), 302)]
    assert unknown.redirect_chain == known.redirect_chain
    messages = [[str(m) for m in r.context["messages"]] for r in (known, unknown)]
    assert messages[0][0].replace(outsider.username, "X") == messages[1][0].replace("nobody-by-this-name", "X")
    # The members page shows what was typed for both, never the account's name or address,
    # and the two rows read the same.
    html = unknown.content.decode()
    assert outsider.username in html and "nobody-by-this-name" in html
    assert outsider.get_full_name() not in html and outsider.email not in html
    rows = re.findall(r"<tr>\s*<td>(?:the-outsider|nobody-by-this-name)<div.*?</tr>", html, re.S)
    assert len(rows) == 2
    normalised = [re.sub(r"the-outsider|nobody-by-this-name|/invitations/\S+/|\d+", "X", row) for row in rows]
    assert normalised[0] == normalised[1]


def test_bad_input_is_a_field_error(invite):
    for bad in ["not an@address", "<script>", "x" * 300]:
        response = invite(bad)
        assert response.status_code == 200
        assert "invitee" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_member_or_a_pending_invitee_is_refused(invite, member):
    assert "invitee" in invite(member.username).context["form"].errors
    invite("twice@example.test")
    assert "invitee" in invite("TWICE@example.test").context["form"].errors


def test_a_new_person_sets_a_password_and_lands_in_the_organisation(invite, client, org, team):
    invite("fresh@example.test", role=Role.LEAD, teams=[team.pk])
    path = link_in(mail.outbox[0])
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and "Create my account and join" in page.content.decode()
    response = client.post(
        path,
        {
            "username": "fresh",
            "first_name": "Fresh",
            "last_name": "Person",
            "email": "fresh@example.test",
            "password1": "a-Long-new-passphrase",
            "password2": "a-Long-new-passphrase",
            "browser_time_zone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("org_home", args=[org.slug])
    user = User.objects.get(username="fresh")
    assert user.check_password("a-Long-new-passphrase")
    assert user.profile.time_zone == "Europe/Berlin"
    assert Membership.objects.get(organisation=org, user=user).role == Role.LEAD
    assert team.members.filter(pk=user.pk).exists()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert AuditEvent.objects.filter(action="accounts.invitation.accepted", actor=user).exists()
    assert client.get(path).content.decode().count("can no longer be used") == 1  # used once only


def test_a_weak_password_re_renders_the_form(invite, client):
    invite("weak@example.test")
    path = link_in(mail.outbox[0])
    client.logout()
    data = {"username": "weak", "email": "weak@example.test", "password1": "123", "password2": "123"}
    response = client.post(path, data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not User.objects.filter(username="weak").exists()


def test_an_existing_account_accepts_while_signed_in(invite, client_for, org, outsider):
    invite(outsider.username, role=Role.VIEWER)
    path = link_in(mail.outbox[0])
    c = client_for(outsider)
    assert "Accept the invitation" in c.get(path).content.decode()
    assert c.post(path)["Location"] == reverse("org_home", args=[org.slug])
    assert Membership.objects.get(organisation=org, user=outsider).role == Role.VIEWER


def test_a_forged_or_foreign_link_is_not_found(invite, client, org):
    invite("a@example.test")
    invitation = Invitation.objects.get()
    assert client.get(reverse("invitation_accept", args=[invitation.pk, "0" * 64])).status_code == 404
    assert client.get(reverse("invitation_accept", args=[invitation.pk + 1, "0" * 64])).status_code == 404


def test_the_members_page_keeps_a_copyable_link_until_used(client_for, invite, admin, org):
    invite("later@example.test")
    invitation = Invitation.objects.get()
    html = client_for(admin).get(reverse("accounts:member_list", args=[org.slug])).content.decode()
    assert "http://testserver" + invitation_path(invitation) in html
    invitation.accepted_at = timezone.now()
    invitation.save()
    html = client_for(admin).get(reverse("accounts:member_list", args=[org.slug])).content.decode()
    assert invitation_path(invitation) not in html


def test_non_admins_do_not_see_invitations(invite, client_for, viewer, org):
    invite("hidden@example.test")
    client_for(viewer).get(reverse("accounts:member_list", args=[org.slug]))  # the admin's message shows once
    html = client_for(viewer).get(reverse("accounts:member_list", args=[org.slug])).content.decode()
    assert "hidden@example.test" not in html


def test_revoking_kills_the_link_and_is_audited(invite, client_for, admin, client, org):
    invite("gone@example.test")
    invitation = Invitation.objects.get()
    client_for(admin).post(reverse("accounts:invitation_revoke", args=[org.slug, invitation.pk]))
    assert AuditEvent.objects.filter(action="accounts.invitation.revoked").exists()
    client.logout()
    response = client.get(invitation_path(invitation))
    assert "can no longer be used" in response.content.decode()
    data = {
        "username": "gone",
        "email": "gone@example.test",
        "password1": "a-Long-pass-1",
        "password2": "a-Long-pass-1",
    }
    client.post(invitation_path(invitation), data)
    assert not User.objects.filter(username="gone").exists()


def test_re_sending_extends_an_expired_link_and_is_audited(invite, client_for, admin, org):
    invite("slow@example.test")
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    client_for(admin).post(reverse("accounts:invitation_resend", args=[org.slug, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert len(mail.outbox) == 2 and link_in(mail.outbox[1]) == invitation_path(invitation)
    assert AuditEvent.objects.filter(action="accounts.invitation.resent").exists()


def test_an_expired_link_cannot_be_used(invite, client_for, org, outsider):
    invite(outsider.username)
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client_for(outsider).post(invitation_path(invitation))
    assert not Membership.objects.filter(organisation=org, user=outsider).exists()


def test_another_organisations_invitation_is_not_found(client_for, admin, org):
    other = OrganisationFactory(slug="other")
    MembershipFactory(organisation=other, user=UserFactory(), role=Role.ADMIN)
    foreign = Invitation.objects.create(
        organisation=other, invitee="x@example.test", salt="s", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    response = client_for(admin).post(reverse("accounts:invitation_revoke", args=[org.slug, foreign.pk]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
