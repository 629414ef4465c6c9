"""Session limits and ending every session of a user (ASVS 7.3, 7.4)."""

import runpy

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Membership
from authn.models import UserSession


@pytest.fixture
def at_nine(time_machine):
    time_machine.move_to("2026-06-01 09:00", tick=False)
    return time_machine


def _page(org):
    return reverse("governance:system_list", args=[org.slug])


def test_a_session_ends_after_thirty_idle_minutes(client_for, member, org, at_nine, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    c = client_for(member)
    at_nine.shift(29 * 60)
    assert c.get(_page(org)).status_code == 200  # activity within the limit keeps it alive
    at_nine.shift(29 * 60)
    assert c.get(_page(org)).status_code == 200
    at_nine.shift(30 * 60 + 1)
    response = c.get(_page(org))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in c.session


def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(client_for, member, org, at_nine, settings):
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60
    settings.SESSION_IDLE_TIMEOUT = 24 * 60 * 60  # so two requests show the absolute limit alone
    c = client_for(member)
    at_nine.shift(12 * 60 * 60 - 60)
    assert c.get(_page(org)).status_code == 200
    at_nine.shift(61)
    assert c.get(_page(org))["Location"].startswith(reverse("login"))


def test_htmx_requests_are_told_to_load_the_sign_in_page(client_for, member, org, at_nine):
    c = client_for(member)
    at_nine.shift(31 * 60)
    response = c.get(_page(org), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("login"))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(client_for, member, org):
    other = Client()
    other.force_login(member)
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
    assert c.get(_page(org)).status_code == 200
    assert other.get(_page(org))["Location"].startswith(reverse("login"))
    assert UserSession.objects.filter(user=member).count() == 1
    assert Session.objects.count() == 1


def test_deactivation_ends_every_session(member, org):
    sessions = [Client(), Client()]
    for s in sessions:
        s.force_login(member)
    member.is_active = False
    member.save()
    assert not Session.objects.exists()
    for s in sessions:
        assert s.get(_page(org))["Location"].startswith(reverse("login"))


def test_removal_from_the_last_organisation_ends_every_session(admin, member, org, make_member):
    from tests.factories import MembershipFactory, OrganisationFactory

    second = OrganisationFactory()
    MembershipFactory(organisation=second, user=member)
    c = Client()
    c.force_login(member)
    services.membership_remove(actor=admin, membership=Membership.objects.get(user=member, organisation=org))
    assert c.get(reverse("governance:system_list", args=[second.slug])).status_code == 200  # still a member there
    services.membership_remove(actor=admin, membership=Membership.objects.get(user=member, organisation=second))
    assert c.get(reverse("organisation_list"))["Location"].startswith(reverse("login"))


def test_signing_in_gives_a_new_session_key(client, member):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen-key"
    client.post(reverse("login"), {"username": "the-member", "password": "password"})
    assert client.session.session_key != "attacker-chosen-key"
    assert UserSession.objects.filter(user=member, session_id=client.session.session_key).exists()


def _settings_with(monkeypatch, **env):
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "bastion.example", **env}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path("config/settings.py")


def test_production_cookies_carry_the_host_prefix(monkeypatch):
    prod = _settings_with(monkeypatch, DEBUG="0")
    assert prod["SESSION_COOKIE_NAME"] == "__Host-sessionid" and prod["SESSION_COOKIE_SECURE"]
    assert prod["CSRF_COOKIE_NAME"] == "__Host-csrftoken" and prod["CSRF_COOKIE_SECURE"]
    assert prod["SESSION_COOKIE_AGE"] == prod["SESSION_ABSOLUTE_TIMEOUT"]
    assert prod["SESSION_COOKIE_HTTPONLY"] and prod["CSRF_COOKIE_HTTPONLY"]
    assert prod["DEBUG"] is False and prod["SECURE_SSL_REDIRECT"]
    assert "PASSWORD_HASHERS" not in prod  # Django's default: PBKDF2-SHA256 first (ASVS 11.4.2)
    from django.conf import global_settings

    assert global_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")
    dev = _settings_with(monkeypatch, DEBUG="1")
    assert "SESSION_COOKIE_NAME" not in dev and "CSRF_COOKIE_NAME" not in dev


def test_a_user_sees_their_sessions_and_ends_the_others_with_their_password(client_for, member, org):
    elsewhere = Client(headers={"user-agent": "Phone browser"}, REMOTE_ADDR="192.0.2.44")
    elsewhere.post(reverse("login"), {"username": "the-member", "password": "password"})
    c = client_for(member)
    page = c.get(reverse("authn:sessions"))
    assert (
        page.status_code == 200 and "Phone browser" in page.content.decode() and "192.0.2.44" in page.content.decode()
    )
    assert len(page.context["rows"]) == 2
    assert "after 30 minutes without use and 12 hours after signing in" in page.content.decode()
    assert c.post(reverse("authn:sessions"), {"password": "nope"}).status_code == 200
    assert elsewhere.get(_page(org)).status_code == 200
    assert c.post(reverse("authn:sessions"), {"password": "password"}).status_code == 302
    assert elsewhere.get(_page(org))["Location"].startswith(reverse("login"))
    assert c.get(_page(org)).status_code == 200


def test_an_operator_ends_one_users_or_everyones_sessions(member, admin, org):
    from django.core.management import CommandError, call_command

    mine, theirs = Client(), Client()
    mine.force_login(member)
    theirs.force_login(admin)
    call_command("end_sessions", "the-member")
    assert mine.get(_page(org)).status_code == 302 and theirs.get(_page(org)).status_code == 200
    call_command("end_sessions", "--all")
    assert theirs.get(_page(org)).status_code == 302
    with pytest.raises(CommandError, match="No such user"):
        call_command("end_sessions", "nobody")
    with pytest.raises(CommandError):
        call_command("end_sessions")
