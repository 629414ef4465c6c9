"""Personal API tokens: created on the account page (shown once, stored hashed), audited,
revocable; expired, revoked and unknown tokens get 401; token requests are the `api` channel."""

import datetime as dt
import hashlib
import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from api.models import ApiToken
from api.tokens import token_create, token_revoke
from audit.models import AuditEvent
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def _user_with_password(make_member):
    user = make_member(Role.MEMBER, "token-owner")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_token_is_created_on_the_account_page_shown_once_and_stored_hashed(client, make_member, org, caplog):
    caplog.set_level(logging.INFO, logger="bastion.security")
    user = _user_with_password(make_member)
    client.force_login(user)
    url = reverse("api_tokens")
    response = client.post(
        url, {"name": "CI pipeline", "organisation": org.pk, "role": "member", "expires": "90", "password": PASSWORD}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    raw = response.context["created"][1]
    assert raw.startswith("bst_") and raw.encode() in response.content
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())  # only the digest is kept
    assert token.prefix == raw[:12]
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    # Shown once: the next visit lists it by its prefix only.
    again = client.get(url)
    assert raw.encode() not in again.content and token.prefix.encode() in again.content
    event = AuditEvent.objects.get(organisation=org, action="api.token.created")
    assert event.after["prefix"] == token.prefix and event.actor == user
    assert any(r.msg == "api.token.created" for r in caplog.records)


def test_creating_a_token_asks_for_the_password(client, make_member, org):
    user = _user_with_password(make_member)
    client.force_login(user)
    response = client.post(
        reverse("api_tokens"),
        {"name": "CI", "organisation": org.pk, "role": "viewer", "expires": "30", "password": "wrong"},
    )
    assert response.status_code == 200 and response.context["form"].errors["password"]
    assert not ApiToken.objects.exists()


def test_profile_page_links_to_the_tokens_page(client, make_member):
    client.force_login(make_member(Role.VIEWER, "someone"))
    assert reverse("api_tokens").encode() in client.get(reverse("profile")).content


def test_revoked_token_stops_working_and_revocation_is_audited(client, api_for, make_member, org):
    user = make_member(Role.VIEWER, "reader")
    api = api_for(user)
    url = reverse("api:team_list", kwargs={"org_slug": org.slug})
    assert api.get(url).status_code == 200
    token = ApiToken.objects.get(user=user)
    client.force_login(user)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    client.logout()
    response = api.get(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert AuditEvent.objects.filter(organisation=org, action="api.token.revoked").count() == 1


def test_nobody_revokes_another_persons_token(client, make_member, org):
    owner = make_member(Role.ADMIN, "owner")
    token, _raw = token_create(user=owner, name="mine", expires_at=None, organisation=org)
    client.force_login(make_member(Role.ADMIN, "another-admin"))
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_unknown_and_malformed_tokens_get_401(client, make_member, org):
    user = make_member(Role.ADMIN, "expiring")
    _token, raw = token_create(
        user=user, name="old", expires_at=timezone.now() - dt.timedelta(seconds=1), organisation=org
    )
    url = reverse("api:team_list", kwargs={"org_slug": org.slug})
    for header in [f"Bearer {raw}", "Bearer bst_" + "x" * 43, "Bearer", "Bearer a b", "Bearer \u00e9t\u00e9"]:
        response = client.get(url, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
    assert client.get(url).status_code == 401  # no credentials at all


def test_token_of_a_deactivated_user_gets_401(api_for, make_member, org):
    user = make_member(Role.ADMIN, "leaver")
    api = api_for(user)
    user.is_active = False
    user.save()
    assert api.get(reverse("api:team_list", kwargs={"org_slug": org.slug})).status_code == 401


def test_token_follows_its_owners_current_role(api_for, make_member, org):
    """A token acts with the owner's role at the time of the request, not at its creation."""
    user = make_member(Role.AUDITOR, "auditor-then-viewer")
    api = api_for(user)
    url = reverse("api:audit_event_list", kwargs={"org_slug": org.slug})
    assert api.get(url).status_code == 200
    user.memberships.update(role=Role.VIEWER)
    assert api.get(url).status_code == 403
    user.memberships.all().delete()
    assert api.get(url).status_code == 404


def test_token_requests_record_last_use_and_leave_no_session(api_for, make_member, org):
    user = make_member(Role.VIEWER, "quiet")
    api = api_for(user)
    response = api.get(reverse("api:team_list", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
    assert not response.cookies  # no session is started for a token request
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is not None and token.last_used_from == "127.0.0.1"


def test_changes_through_a_token_are_recorded_as_api(api_for, make_member, team, org):
    user = make_member(Role.LEAD, "automation", teams=[team])
    api = api_for(user)
    response = api.post(
        reverse("api:system_list", kwargs={"org_slug": org.slug}),
        {
            "name": "Ticket router",
            "description": "Routes tickets.",
            "owner_team": team.pk,
            "lifecycle_stage": "design",
            "system_type": "predictive",
            "provenance": "in_house",
            "exposure": "internal",
            "autonomy": "none",
        },
    )
    assert response.status_code == 201, response.json()
    event = AuditEvent.objects.get(organisation=org, action="governance.aisystem.created")
    assert event.channel == "api" and event.actor == user


def test_revoking_twice_changes_nothing(make_member, org):
    user = make_member(Role.MEMBER, "twice")
    token, _raw = token_create(user=user, name="t", expires_at=None, organisation=org)
    token_revoke(user=user, token=token)
    token_revoke(user=user, token=token)
    assert AuditEvent.objects.filter(action="api.token.revoked").count() == 1


def test_a_token_needs_a_membership_of_its_organisation(org):
    with pytest.raises(ValidationError):
        token_create(user=UserFactory(), name="lonely", expires_at=None, organisation=org)
    assert not ApiToken.objects.exists()
