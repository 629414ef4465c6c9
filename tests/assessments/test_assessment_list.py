"""The organisation's assessments, open ones first, with the load of every team."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.services import person_update
from assessments.models import AssessmentStatus, AssignmentStatus
from core.templatetags.ui import person
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory


@pytest.fixture
def url(org):
    return reverse("assessments:assessment_list", args=[org.slug])


def test_open_assessments_come_first_with_their_progress(client_for, viewer, org, team, url):
    approved = AssessmentFactory(
        ai_system=AISystemFactory(organisation=org, owner_team=team, name="Alpha"), status=AssessmentStatus.APPROVED
    )
    working = AssessmentFactory(ai_system=AISystemFactory(organisation=org, owner_team=team, name="Beta"))
    ControlAssignmentFactory(ai_system=working.ai_system, control=ControlFactory(), status=AssignmentStatus.VERIFIED)
    ControlAssignmentFactory(ai_system=working.ai_system, control=ControlFactory())
    response = client_for(viewer).get(url)
    rows = list(response.context["page"].object_list)
    assert rows == [working, approved]
    assert (rows[0].assignment_decided, rows[0].assignment_total) == (1, 2)
    assert "1 / 2" in response.content.decode()


def test_it_filters_by_status(client_for, viewer, org, team, url):
    draft = AssessmentFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), status="draft")
    AssessmentFactory(ai_system=AISystemFactory(organisation=org, owner_team=team))
    assert list(client_for(viewer).get(url, {"status": "draft"}).context["page"].object_list) == [draft]


def test_it_shows_each_teams_load(client_for, viewer, system, team, url):
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(), status=AssignmentStatus.IMPLEMENTED)
    loads = {load.team: load for load in client_for(viewer).get(url).context["loads"]}
    assert (loads[team].open, loads[team].awaiting_verification) == (1, 1)


def test_it_shows_only_this_organisations_assessments(client_for, viewer, outsider, url):
    AssessmentFactory(ai_system=AISystemFactory(organisation=outsider.memberships.get().organisation))
    response = client_for(viewer).get(url)
    assert b"No assessments yet." in response.content


def test_anonymous_is_sent_to_login(client, url):
    assert client.get(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_is_constant(client_for, viewer, org, team, url, rows, django_assert_num_queries):
    for _ in range(rows):
        assessment = AssessmentFactory(ai_system=AISystemFactory(organisation=org, owner_team=team))
        ControlAssignmentFactory(ai_system=assessment.ai_system, control=ControlFactory())
    c = client_for(viewer)
    c.get(url)
    cache.clear()
    # session, user, membership, count, the data's version (chain head) for the kept fragments,
    # page rows (+system, starter, counts), teams, the version again for their load, team loads
    # (owned, co-signed), other organisations ("any assessment at all?" only when the page is empty)
    with django_assert_num_queries(11):
        response = c.get(url)
    rows_html = response.content.split(b"<tbody>")[1].split(b"</tbody>")[0]
    assert rows_html.count(b"<tr>") == min(rows, 50)
    # Until the data changes the rows and the team-load panel are kept: neither the rows nor the
    # teams nor their load are read.
    with django_assert_num_queries(6):
        kept = c.get(url)
    assert "Load per team" in kept.content.decode()
    assert kept.content.split(b"<tbody>")[1].split(b"</tbody>")[0] == rows_html


def test_kept_rows_show_a_starters_new_name(client_for, viewer, lead, org, team, url):
    """Who started an assessment is shown by name; a rename is recorded in the organisation
    (accounts.services.person_update), so kept rows turn over with it."""
    AssessmentFactory(ai_system=AISystemFactory(organisation=org, owner_team=team), started_by=lead)
    c = client_for(viewer)
    assert person(lead) in c.get(url).content.decode()
    person_update(actor=lead, user=lead, data={"first_name": "Renamed", "last_name": "Starter"})
    assert "Renamed Starter" in c.get(url).content.decode()
