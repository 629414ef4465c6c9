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
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert not response.has_header("Access-Control-Allow-Origin")  # no cross-origin reads (3.4.2)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_post_without_the_csrf_token_is_refused(member, org):
    c = Client(enforce_csrf_checks=True)
    c.force_login(member)
    assert c.post(reverse("governance:system_create", args=[org.slug]), {"name": "x"}).status_code == 403


# Constructs no application code may use: each would open a hole the framework otherwise closes.
FORBIDDEN = {
    "csrf_exempt": "CSRF protection off (ASVS 3.5.1)",
    "mark_safe(": "unescaped output (1.2.1)",
    "SafeString(": "unescaped output (1.2.1)",
    "eval(": "dynamic code execution (1.3.2)",
    "exec(": "dynamic code execution (1.3.2)",
    "Template(": "templates built from data (1.3.7)",
    "from_string(": "templates built from data (1.3.7)",
    "subprocess": "OS commands (1.2.5)",
    "os.system": "OS commands (1.2.5)",
    "pickle": "unsafe deserialisation (1.5.2)",
    "yaml.load(content)": "unsafe YAML loading (1.5.2)",
    "import requests": "outbound requests (1.3.6 SSRF)",
    "urllib.request": "outbound requests (1.3.6 SSRF)",
    "import random": "guessable random numbers (11.5.1)",
    "from random": "guessable random numbers (11.5.1)",
    'fields = "__all__"': "forms open to mass assignment (15.3.3)",
    ".raw(": "hand-written SQL (1.2.4)",
    ".extra(": "hand-written SQL (1.2.4)",
}


# The one deliberate exception, each with the test that holds it to its promise: FastSelect writes
# a <select> in Python and marks the result safe after escaping every name, value and label itself
# (tests/core/test_rendering.py compares it with Django's Select on hostile labels).
ALLOWED = {("core/rendering.py", "SafeString(")}


def test_no_application_code_uses_dangerous_constructs():
    found = [
        f"{path.relative_to(ROOT)}: {needle} ({why})"
        for path in SOURCES
        if "/migrations/" not in str(path)
        for needle, why in FORBIDDEN.items()
        if needle in path.read_text() and (str(path.relative_to(ROOT)), needle) not in ALLOWED
    ]
    assert not found, found


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


def test_trace_is_not_echoed(client):
    response = client.generic("TRACE", reverse("login"), HTTP_X_SECRET="echo-me")
    assert response.status_code == 405 and b"echo-me" not in response.content


def test_password_fields_are_masked_and_managers_may_fill_them(client):
    body = client.get(reverse("login")).content.decode()
    assert 'type="password"' in body and 'autocomplete="current-password"' in body
    assert "onpaste" not in body


def test_the_password_is_checked_exactly_as_typed(client, member):
    member.set_password("  spaced out passphrase  ")
    member.save()
    assert (
        client.post(reverse("login"), {"username": "the-member", "password": "spaced out passphrase"}).status_code
        == 200
    )
    ok = client.post(reverse("login"), {"username": "the-member", "password": "  spaced out passphrase  "})
    assert ok.status_code == 302


def test_changing_the_password_needs_the_current_one(client_for, member):
    data = {"old_password": "wrong", "new_password1": "a-Long-new-pass1", "new_password2": "a-Long-new-pass1"}
    response = client_for(member).post(reverse("password_change"), data)
    assert response.status_code == 200 and "old_password" in response.context["form"].errors


def test_the_admin_sign_in_is_held_at_the_second_factor_too(client, make_member, enrolled):
    root = make_member("admin", "root")
    root.is_staff = root.is_superuser = True
    root.save()
    enrolled(root)
    client.post(reverse("admin:login"), {"username": "root", "password": "password"})
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("authn:verify"))


def test_every_org_page_offers_sign_out(client_for, member, org):
    body = client_for(member).get(reverse("governance:system_list", args=[org.slug])).content.decode()
    assert f'action="{reverse("logout")}"' in body


def test_signing_out_clears_site_data(client_for, member):
    response = client_for(member).post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


@pytest.mark.parametrize("path", ["/.git/config", "/.env", "/static/", "/media/"])
def test_no_repository_files_or_directory_listings_are_served(client, db, path):
    assert client.get(path).status_code == 404


def test_an_archive_with_too_many_members_is_refused(db):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.evidence import MAX_ZIP_MEMBERS, validate_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        for i in range(MAX_ZIP_MEMBERS):
            archive.writestr(f"f{i}", "")
    with pytest.raises(ValidationError, match="unreasonable size"):
        validate_upload(SimpleUploadedFile("bomb.docx", buffer.getvalue()))


def test_an_unexpected_error_is_logged_and_shows_a_generic_page(client, member, monkeypatch, caplog):
    from accounts.models import Membership

    client.force_login(member)
    client.raise_request_exception = False

    def boom(*args, **kwargs):
        raise RuntimeError("database detail that must not leak")

    monkeypatch.setattr(Membership.objects, "filter", boom)
    response = client.get(reverse("organisation_list"))
    assert response.status_code == 500
    assert b"must not leak" not in response.content and b"Traceback" not in response.content
    assert any(r.name == "django.request" and r.levelname == "ERROR" for r in caplog.records)
