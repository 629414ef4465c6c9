"""The profile page, per-user time zones and the organisation remembered per user."""

import datetime as dt

from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, Role
from audit.models import AuditEvent
from audit.services import record
from tests.factories import MembershipFactory, OrganisationFactory


def test_the_last_organisation_is_remembered_per_user_not_per_session(org, member):
    second = OrganisationFactory(name="Second", slug="second")
    MembershipFactory(organisation=second, user=member, role=Role.VIEWER)
    laptop = Client()
    laptop.force_login(member)
    laptop.get(reverse("governance:system_list", args=[second.slug]))
    phone = Client()  # a new session: a new sign-in elsewhere
    response = phone.post(reverse("login"), {"username": member.username, "password": "password"})
    assert phone.get(response["Location"])["Location"] == reverse("org_home", args=[second.slug])


def test_a_user_in_two_organisations_without_history_chooses(client, org, member):
    MembershipFactory(organisation=OrganisationFactory(slug="third"), user=member)
    client.force_login(member)
    assert client.get(reverse("home"))["Location"] == reverse("organisation_list")


def test_first_sign_in_takes_the_browsers_time_zone(client, member):
    client.post(
        reverse("login"),
        {"username": member.username, "password": "password", "browser_time_zone": "America/New_York"},
    )
    assert Profile.objects.get(user=member).time_zone == "America/New_York"


def test_a_bogus_browser_zone_is_ignored(client, member):
    client.post(
        reverse("login"), {"username": member.username, "password": "password", "browser_time_zone": "Mars/Base"}
    )
    assert Profile.objects.get(user=member).time_zone == ""


def test_a_chosen_zone_is_not_overwritten_at_sign_in(client, member):
    Profile.objects.create(user=member, time_zone="Asia/Tokyo")
    client.post(
        reverse("login"),
        {"username": member.username, "password": "password", "browser_time_zone": "Europe/Paris"},
    )
    assert Profile.objects.get(user=member).time_zone == "Asia/Tokyo"


def test_profile_page_saves_name_email_and_zone_and_pages_show_local_times(client_for, org, lead):
    c = client_for(lead)
    page = c.get(reverse("profile"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="sign-in-security"' in html and reverse("password_change") in html
    response = c.post(
        reverse("profile"),
        {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.test", "time_zone": "Asia/Kolkata"},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.first_name, lead.email, lead.profile.time_zone) == ("Ada", "ada@example.test", "Asia/Kolkata")
    with transaction.atomic():
        event = record(organisation=org, actor=lead, action="test.created")
    AuditEvent.objects.filter(pk=event.pk).update(created_at=dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC))
    html = c.get(reverse("audit:event_list", args=[org.slug])).content.decode()
    assert "(Asia/Kolkata)" in html  # the audit trail states the zone
    assert "1 Jan 2026 17:30:00" in html  # 12:00 UTC is 17:30 in Kolkata


def test_profile_rejects_an_unknown_zone_and_a_missing_email(client_for, lead):
    response = client_for(lead).post(reverse("profile"), {"email": "", "time_zone": "Nowhere/Land"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "time_zone"}


def test_profile_needs_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_change_is_in_the_site_layout_and_returns_to_the_profile(client_for, org, member):
    c = client_for(member)
    c.get(reverse("org_home", args=[org.slug]))
    page = c.get(reverse("password_change"))
    assert 'aria-label="Main"' in page.content.decode()  # the organisation's navigation
    response = c.post(
        reverse("password_change"),
        {
            "old_password": "password",
            "new_password1": "a-Long-new-passphrase",
            "new_password2": "a-Long-new-passphrase",
        },
    )
    assert response["Location"] == reverse("profile")


def test_a_new_name_is_recorded_in_each_of_the_persons_organisations(client_for, org, lead):
    """Names are on every organisation's pages: a rename is an event in each trail; a new e-mail
    (on no governance page) or an unchanged name records nothing."""
    second = OrganisationFactory(slug="second-org")
    MembershipFactory(organisation=second, user=lead, role=Role.VIEWER)
    OrganisationFactory(slug="not-theirs")
    c = client_for(lead)
    form = {"first_name": lead.first_name, "last_name": lead.last_name, "email": "new@example.com"}
    c.post(reverse("profile"), {**form, "time_zone": "UTC"})
    assert not AuditEvent.objects.filter(action="accounts.person.renamed").exists()
    c.post(reverse("profile"), {**form, "first_name": "Jo", "time_zone": "UTC"})
    events = AuditEvent.objects.filter(action="accounts.person.renamed").order_by("organisation_id")
    assert [e.organisation_id for e in events] == [org.pk, second.pk]
    assert all(e.before == {"first_name": lead.first_name} and e.after == {"first_name": "Jo"} for e in events)
    assert all(e.actor_id == lead.pk and e.object_id == str(lead.pk) for e in events)


def test_a_rename_in_the_site_admin_is_recorded_too(client, org, lead, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "password")
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[lead.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"first_name": "Renamed", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data["groups"], data["user_permissions"] = [], []
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(organisation=org, action="accounts.person.renamed")
    assert (event.after, event.actor_id) == ({"first_name": "Renamed"}, superuser.pk)
