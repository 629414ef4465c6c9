"""Error pages in the site's layout: the reason, whom to ask, a way back; nothing leaks."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import errors
from accounts.models import Role
from config import urls
from tests.factories import AISystemFactory, OrganisationFactory, TeamFactory


def body(response) -> str:
    # The masked CSRF token differs on every render; everything else must be identical.
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_rule_denial_shows_the_reason_whom_to_ask_and_a_way_back(client_for, org, admin, make_member, team):
    other_team = TeamFactory(organisation=org, name="Data")
    system = AISystemFactory(organisation=org, owner_team=other_team)
    member = make_member(Role.MEMBER, "someone", teams=[team])
    came_from = "http://testserver" + reverse("governance:system_detail", args=[org.slug, system.pk])
    response = client_for(member).get(
        reverse("governance:system_edit", args=[org.slug, system.pk]), HTTP_REFERER=came_from
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only leads and the owner team can change this system." in html
    assert admin.get_full_name() in html and admin.email in html  # whom to ask
    assert f'href="{came_from}"' in html  # back where they came from
    assert f'href="{reverse("org_home", args=[org.slug])}"' in html
    assert 'aria-label="Main"' in html  # the organisation's layout, with its navigation


def test_a_role_denial_without_a_referer_links_to_the_organisation(client_for, org, viewer):
    response = client_for(viewer).get(reverse("audit:event_list", args=[org.slug]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role does not allow this." in html
    assert "You are signed in as Viewer of Acme Test." in html
    assert "Go back" not in html
    assert f'href="{reverse("org_home", args=[org.slug])}"' in html


def test_a_referer_from_another_site_is_not_offered_as_the_way_back(client_for, org, viewer):
    response = client_for(viewer).get(
        reverse("audit:event_list", args=[org.slug]), HTTP_REFERER="https://evil.example/phish"
    )
    assert "evil.example" not in response.content.decode()


def test_not_found_reads_the_same_for_a_missing_and_a_foreign_object(client_for, org, viewer, team):
    foreign = AISystemFactory(organisation=OrganisationFactory(slug="elsewhere"))
    mine = AISystemFactory(organisation=org, owner_team=team)
    c = client_for(viewer)
    missing = c.get(reverse("governance:system_detail", args=[org.slug, mine.pk + foreign.pk + 1000]))
    theirs = c.get(reverse("governance:system_detail", args=[org.slug, foreign.pk]))
    assert missing.status_code == theirs.status_code == 404
    assert body(missing) == body(theirs)
    assert "Page not found" in body(missing)
    assert "No such" not in body(missing)


def test_not_found_reads_the_same_for_an_unknown_and_a_foreign_organisation(client_for, outsider, org):
    c = client_for(outsider)
    unknown, foreign = c.get("/o/no-such-org/"), c.get(reverse("org_home", args=[org.slug]))
    assert unknown.status_code == foreign.status_code == 404
    assert body(unknown) == body(foreign)
    assert "Acme Test" not in body(foreign)


def test_server_error_page_renders_without_queries_or_context():
    """No database fixture: a query here would raise, as it might when the database is down."""
    assert urls.handler500 is errors.server_error
    response = errors.server_error(RequestFactory().get("/o/acme/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html


def test_server_error_is_served_for_an_unhandled_exception(settings, org, viewer, monkeypatch):
    import governance.views.inventory as inventory

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(inventory, "AISystemFilter", boom)
    c = Client(raise_request_exception=False)
    c.force_login(viewer)
    response = c.get(reverse("governance:system_list", args=[org.slug]))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "kaput" not in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_explains_what_to_do(org, admin):
    c = Client(enforce_csrf_checks=True)
    c.force_login(admin)
    response = c.post(reverse("accounts:organisation_edit", args=[org.slug]), {"name": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form could not be sent" in html
    assert "Nothing was saved" in html
    assert 'href="/"' in html
