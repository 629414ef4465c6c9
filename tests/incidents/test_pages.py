"""Incident pages: reporting from the list and from a system's page, the form's errors, the
timeline's hidden characters, the list's filters and order, the system tab and panel, My work,
and the same number of queries for 3 and 30 incidents."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from records.models import FollowUp
from tests.factories import AISystemFactory, ThreatFactory
from tests.incidents.factories import IncidentFactory, TimelineEntryFactory


def form_data(system, **overrides):
    data = {
        "title": "Harmful answer reached a customer",
        "description": "The assistant suggested a dangerous dose.",
        "detected_at": timezone.localtime(timezone.now() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "systems": [system.pk],
        "severity": "critical",
        "harm_in_benign_use": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_any_member_reports_from_the_system_page(client_for, other_team_member, org, system, safety_team):
    client = client_for(other_team_member)
    tab = client.get(reverse("incidents:system_incidents", args=[org.slug, system.pk])).content.decode()
    report_url = reverse("incidents:incident_report", args=[org.slug]) + f"?system={system.pk}"
    assert report_url in tab
    form = client.get(report_url).context["form"]
    assert form.initial["systems"] == [system.pk]
    response = client.post(report_url, form_data(system))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/incidents/{incident.pk}/")
    assert incident.domain == "safety" and incident.owner_team == safety_team and incident.status == "open"


def test_the_form_offers_the_playbooks_of_approved_plans_and_the_page_shows_its_steps(
    client_for, member, org, system, safety_team
):
    from tests.response.factories import PlanFactory, PlaybookFactory

    approved = PlaybookFactory(plan=PlanFactory(ai_system=system, status="approved"), technical_steps="Rotate keys")
    draft = PlaybookFactory(plan=PlanFactory(ai_system=system))
    url = reverse("incidents:incident_report", args=[org.slug])
    offered = list(client_for(member).get(url).context["form"].fields["playbook"].queryset)
    assert offered == [approved] and draft not in offered
    response = client_for(member).post(url, form_data(system, playbook=approved.pk))
    assert response.status_code == 302, response.context["form"].errors
    incident = Incident.objects.get()
    assert incident.plan == approved.plan
    page = client_for(member).get(reverse("incidents:incident_detail", args=[org.slug, incident.pk]))
    assert "Rotate keys" in page.content.decode()


def test_a_bad_form_is_shown_again_with_its_errors(client_for, member, org, system):
    url = reverse("incidents:incident_report", args=[org.slug])
    response = client_for(member).post(url, form_data(system, systems=None, harm_in_benign_use=None))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Incident.objects.exists()


def test_timeline_text_with_hidden_characters_asks_then_shows_them_visibly(client_for, member, org, system):
    incident = IncidentFactory(system=system)
    url = reverse("incidents:timeline_add", args=[org.slug, incident.pk])
    data = {"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "text": "Blocked\u200b the account"}
    response = client_for(member).post(url, data)
    assert response.status_code == 200 and "text__hidden" in response.context["timeline_form"].fields
    assert not incident.timeline.exists()
    response = client_for(member).post(url, {**data, "text__hidden": "keep"})
    assert response.status_code == 302
    assert incident.timeline.get().text == "Blocked\u200b the account"
    page = client_for(member).get(reverse("incidents:incident_detail", args=[org.slug, incident.pk]))
    assert 'class="hidden-char"' in page.content.decode()


def test_the_list_filters_and_puts_open_incidents_first(client_for, viewer, org, system, team):
    now = timezone.now()
    closed = IncidentFactory(system=system, title="Old leak", status="closed", detected_at=now - dt.timedelta(days=9))
    contained = IncidentFactory(
        system=system, title="Contained", status="contained", contained_at=now, severity="critical"
    )
    low_open = IncidentFactory(system=system, title="Open low", severity="low", detected_at=now - dt.timedelta(days=5))
    other_system = AISystemFactory(organisation=org, owner_team=team)
    safety = IncidentFactory(
        system=other_system, title="Open safety", domain="safety", hostile_intent=False, harm_in_benign_use=True
    )
    url = reverse("incidents:incident_list", args=[org.slug])
    client = client_for(viewer)
    assert client.get(url).context["rows"] == [safety, low_open, contained, closed]
    assert client.get(url, {"domain": "safety"}).context["rows"] == [safety]
    assert client.get(url, {"severity": "critical"}).context["rows"] == [contained]
    assert client.get(url, {"status": "closed"}).context["rows"] == [closed]
    assert client.get(url, {"system": other_system.pk}).context["rows"] == [safety]
    times = {t.severity: t.total for t in client.get(url, {"system": system.pk}).context["times"]}
    assert times == {"critical": 1, "high": 1, "medium": 0, "low": 1}


def test_the_system_overview_and_my_work_show_open_incidents(client_for, member, org, system):
    incident = IncidentFactory(system=system, title="Suspected prompt-injection leak")
    IncidentFactory(system=system, title="Long gone", status="closed")
    overview = client_for(member).get(reverse("governance:system_detail", args=[org.slug, system.pk])).content.decode()
    assert "Suspected prompt-injection leak" in overview and "Long gone" not in overview
    work = client_for(member).get(reverse("assessments:work_list", args=[org.slug])).content.decode()
    assert reverse("incidents:incident_detail", args=[org.slug, incident.pk]) in work


def test_a_follow_up_from_the_page_lands_in_the_owner_teams_work_with_a_link_back(client_for, member, org, system):
    incident = IncidentFactory(system=system)
    url = reverse("incidents:incident_follow_up", args=[org.slug, incident.pk])
    response = client_for(member).post(url, {"ai_system": system.pk, "title": "Filter retrieved pages"})
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.source_type == ContentType.objects.get_for_model(Incident)
    work = client_for(member).get(reverse("assessments:work_list", args=[org.slug])).content.decode()
    assert "Filter retrieved pages" in work and f"Incident #{incident.pk}" in work


def test_the_review_page_saves_the_review_with_its_links(client_for, member, org, system):
    incident = IncidentFactory(system=system, status="contained", contained_at=timezone.now())
    threat = ThreatFactory()
    url = reverse("incidents:incident_review", args=[org.slug, incident.pk])
    data = {"root_cause": "No filter on retrieved pages.", "went_well": "Fast paging.", "threats": [threat.pk]}
    response = client_for(member).post(url, {**data, "version": incident.version})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.has_review and incident.reviewed_by == member and list(incident.threats.all()) == [threat]


def _list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["list", "system", "detail"])
def test_pages_run_as_many_queries_for_30_incidents_as_for_3(client_for, viewer, org, system, team, page):
    anchor = IncidentFactory(system=system)

    def add(n):
        for i in range(n):
            second = AISystemFactory(organisation=org, owner_team=team)
            IncidentFactory(system=system, systems=[system, second], severity=["low", "high"][i % 2])
            TimelineEntryFactory(incident=anchor)
            anchor.systems.add(second)

    url = {
        "list": reverse("incidents:incident_list", args=[org.slug]),
        "system": reverse("incidents:system_incidents", args=[org.slug, system.pk]),
        "detail": reverse("incidents:incident_detail", args=[org.slug, anchor.pk]),
    }[page]
    client = client_for(viewer)
    add(2)
    client.get(url)  # the first visit remembers the organisation in the session
    small = _list_queries(client, url)
    add(27)
    assert _list_queries(client, url) == small


def test_the_edit_page_corrects_the_report_and_a_stale_page_conflicts(client_for, member, org, system, team):
    incident = IncidentFactory(system=system)
    url = reverse("incidents:incident_edit", args=[org.slug, incident.pk])
    stale = incident.version
    data = form_data(system, harm_in_benign_use=None, hostile_intent="on", severity="medium", version=stale)
    assert client_for(member).post(url, {**data, "title": "Renamed"}).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Renamed" and incident.severity == "medium" and incident.owner_team == team
    response = client_for(member).post(url, {**data, "title": "Overwritten"})
    assert response.status_code == 200 and response.context["conflict"] is not None
    incident.refresh_from_db()
    assert incident.title == "Renamed"
