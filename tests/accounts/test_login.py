from django.urls import reverse

from accounts.models import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def test_sign_in_and_land_in_the_organisation(client, org, member):
    response = client.post(reverse("login"), {"username": "the-member", "password": "password"}, follow=True)
    # Members land on their teams' work (contributed by assessments through the org_home hook).
    assert response.redirect_chain[-1][0] == reverse("assessments:work_list", args=[org.slug])


def test_wrong_password_shows_an_error(client, member):
    response = client.post(reverse("login"), {"username": "the-member", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_for_that_address(client, member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "the-member", "password": "nope"})
    response = client.post(reverse("login"), {"username": "the-member", "password": "password"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_out(client_for, member):
    c = client_for(member)
    assert c.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in c.session


def test_change_password(client_for, member):
    c = client_for(member)
    response = c.post(
        reverse("password_change"),
        {
            "old_password": "password",
            "new_password1": "a-Long-new-passphrase",
            "new_password2": "a-Long-new-passphrase",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-Long-new-passphrase")


def test_home_offers_a_choice_with_several_organisations(client_for, member):
    second = OrganisationFactory(name="Second")
    MembershipFactory(organisation=second, user=member, role=Role.VIEWER)
    c = client_for(member)
    assert c.get(reverse("home"))["Location"] == reverse("organisation_list")
    body = c.get(reverse("organisation_list")).content.decode()
    assert "Acme Test" in body and "Second" in body
    c.get(reverse("governance:system_list", args=[second.slug]))
    assert c.get(reverse("home"))["Location"] == reverse("org_home", args=[second.slug])


def test_the_switcher_lists_the_other_organisations(client_for, member, org):
    second = OrganisationFactory(name="Second")
    MembershipFactory(organisation=second, user=member, role=Role.VIEWER)
    body = client_for(member).get(reverse("governance:system_list", args=[org.slug])).content.decode()
    assert reverse("org_home", args=[second.slug]) in body


def test_only_superusers_create_organisations(client_for, member, db):
    c = client_for(member)
    assert c.post(reverse("organisation_create"), {"name": "New", "slug": "new"}).status_code == 403
    boss = UserFactory(username="root", is_superuser=True, is_staff=True)
    c = client_for(boss)
    response = c.post(reverse("organisation_create"), {"name": "New Org", "slug": "new-org"})
    assert response.status_code == 302
    assert boss.memberships.get(organisation__slug="new-org").role == Role.ADMIN
    again = c.post(reverse("organisation_create"), {"name": "Dup", "slug": "new-org"})
    assert "slug" in again.context["form"].errors


def test_password_reset_pages_render(client, member):
    from django.contrib.auth.tokens import default_token_generator
    from django.core import mail
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    assert b"Password reset" in client.get(reverse("password_reset")).content
    response = client.post(reverse("password_reset"), {"email": member.email}, follow=True)
    assert b"we sent it a link" in response.content
    assert len(mail.outbox) == 1
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    url = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(member)])
    response = client.get(url, follow=True)
    assert b"Enter new password" in response.content
    done = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-Fresh-passphrase", "new_password2": "a-Fresh-passphrase"},
        follow=True,
    )
    assert b"You can sign in now" in done.content
    member.refresh_from_db()
    assert member.check_password("a-Fresh-passphrase")
    bad = client.get(reverse("password_reset_confirm", args=[uid, "bad-token"]))
    assert b"invalid or has expired" in bad.content


def test_organisation_list_query_count_is_constant(client_for, member, django_assert_num_queries):
    c = client_for(member)
    for n in (3, 30):
        for _ in range(n):
            MembershipFactory(organisation=OrganisationFactory(), user=member, role=Role.VIEWER)
        # session, user, memberships with their organisations
        with django_assert_num_queries(3):
            response = c.get(reverse("organisation_list"))
        assert len(response.context["memberships"]) >= n
