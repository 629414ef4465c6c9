"""Baseline web security that the ASVS matrix (docs/security/asvs-l2.md) points at."""

from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    p
    for app in ("accounts", "audit", "authn", "core", "governance", "assessments", "config")
    for p in (ROOT / app).rglob("*.py")
]


@pytest.mark.parametrize("page", ["login", "org"])
def test_every_page_carries_the_security_headers(client_for, member, org, client, page):
    if page == "login":
        response = client.get(reverse("login"))
    else:
        response = client_for(member).get(reverse("governance:system_list", args=[org.slug]))
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_post_without_the_csrf_token_is_refused(member, org):
    c = Client(enforce_csrf_checks=True)
    c.force_login(member)
    assert c.post(reverse("governance:system_create", args=[org.slug]), {"name": "x"}).status_code == 403


def test_no_view_opts_out_of_csrf_or_marks_strings_safe():
    for path in SOURCES:
        text = path.read_text()
        assert "csrf_exempt" not in text, path
        assert "mark_safe(" not in text, path


def test_session_cookie_is_http_only_and_same_site(client, member):
    client.post(reverse("login"), {"username": "the-member", "password": "password"})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_signing_out_needs_a_post(client_for, member):
    c = client_for(member)
    assert c.get(reverse("logout")).status_code == 405
    assert c.post(reverse("logout")).status_code == 302
    assert c.get(reverse("organisation_list")).status_code == 302  # the session is gone


@pytest.mark.parametrize("password", ["short1", "password123", "1234567890123", "the-member-x"])
def test_weak_passwords_are_refused(member, password):
    with pytest.raises(ValidationError):
        validate_password(password, member)


@pytest.mark.parametrize("password", ["correct horse battery staple", "ß" * 10 + " é" * 60, "a" * 3 + "Q!" * 60])
def test_long_passphrases_of_any_characters_are_accepted_without_composition_rules(member, password):
    validate_password(password, member)
    member.set_password(password)
    assert member.check_password(password)


def test_sign_in_does_not_say_whether_the_account_exists(client, member):
    wrong_password = client.post(reverse("login"), {"username": "the-member", "password": "nope"})
    no_account = client.post(reverse("login"), {"username": "nobody-here", "password": "nope"})
    assert wrong_password.context["form"].errors == no_account.context["form"].errors


def test_password_reset_answers_the_same_for_unknown_addresses(client, member):
    known = client.post(reverse("password_reset"), {"email": member.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.test"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain


def test_errors_show_no_internals(client_for, member):
    response = client_for(member).get("/o/no-such-org/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content and b"settings" not in response.content.lower()


@pytest.mark.parametrize("password", ["Bastion2026!", "acme-test-2026", "AcmeTest#1", "Governance!!99"])
def test_context_words_are_refused(member, password):
    with pytest.raises(ValidationError, match="too easy to guess here"):
        validate_password(password, member)


def test_a_passphrase_that_contains_a_context_word_is_fine(member):
    validate_password("bastion keeps our river maps", member)


def test_pages_for_signed_in_users_are_not_cached(client_for, member, org, client):
    response = client_for(member).get(reverse("governance:system_list", args=[org.slug]))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
