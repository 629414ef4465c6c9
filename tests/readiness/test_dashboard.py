"""The dashboard: verdicts with failing gates, security vs safety (each team its column), team
load, the practice grid, trends from snapshots; the inventory's readiness columns and filter;
constant query counts for 3 and 30 systems."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Discipline, Role
from assessments.models import AssignmentStatus as S
from readiness.snapshots import take
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory, TeamFactory
from tests.readiness.test_gates import ready_system
from tests.test_query_scaling import no_queries_in_templates  # noqa: F401  (fixture)
from tests.threats.factories import RedTeamFindingFactory

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def dashboard(org):
    return reverse("readiness:dashboard", args=[org.slug])


@pytest.fixture
def inventory(org):
    return reverse("governance:system_list", args=[org.slug])


def world(org, team, lead, n, prefix="System"):
    """n systems: every third audit-ready, the others with an open high finding, or security
    controls below the threshold (10 of 12 verified) with one overdue."""
    systems = []
    for i in range(n):
        system = ready_system(org, team, lead, name=f"{prefix} {i:02d}")
        if i % 3 == 1:
            RedTeamFindingFactory(exercise__ai_system=system, exercise__author=lead, title=f"Finding {i}")
        elif i % 3 == 2:
            for due in (YESTERDAY, None):
                ControlAssignmentFactory(
                    ai_system=system,
                    control=ControlFactory(domain="security", practice="guardrails"),
                    status=S.NOT_STARTED,
                    due_date=due,
                    assessment=system.assessments.first(),
                )
        systems.append(system)
    take(org)
    return systems


def test_auditors_leads_and_admins_land_on_the_dashboard(client_for, org, auditor, lead, member, dashboard):
    for user in (auditor, lead):
        assert client_for(user).get(reverse("org_home", args=[org.slug]))["Location"] == dashboard
    assert client_for(member).get(reverse("org_home", args=[org.slug]))["Location"] != dashboard


def test_the_dashboard_says_which_systems_are_ready_and_why_the_others_are_not(
    client_for, auditor, org, team, lead, dashboard
):
    world(org, team, lead, 3)
    response = client_for(auditor).get(dashboard)
    assert response.context["ready_count"] == 1
    text = response.content.decode()
    assert "An open high finding, “Finding 1”" in text
    assert "below the 90 % threshold" in text
    # Every number links to its list: the audit-ready count to the filtered inventory.
    assert f"{reverse('governance:system_list', args=[org.slug])}?readiness=yes" in text


def test_security_and_safety_side_by_side_each_team_its_column(client_for, org, team, lead, make_member, dashboard):
    world(org, team, lead, 3)
    sides = client_for(lead).get(dashboard).context["sides"]  # lead of no team: both
    assert [s.domain for s in sides] == ["security", "safety"]
    security = {f.label: f.value for f in sides[0].figures}
    assert security["Overdue work"] == 1 and security["Open red-team findings"] == 1
    safety_team = TeamFactory(organisation=org, discipline=Discipline.SAFETY)
    safety_member = make_member(Role.MEMBER, "safety-one", teams=[safety_team])
    assert [s.domain for s in client_for(safety_member).get(dashboard).context["sides"]] == ["safety"]
    team.discipline = Discipline.SECURITY
    team.save()
    security_member = make_member(Role.MEMBER, "security-one", teams=[team])
    assert [s.domain for s in client_for(security_member).get(dashboard).context["sides"]] == ["security"]


def test_the_practice_grid_and_team_load(client_for, auditor, org, team, lead, dashboard):
    systems = world(org, team, lead, 3)
    response = client_for(auditor).get(dashboard)
    grid = {system.name: cells for system, cells in response.context["grid"]}
    practices = [key for key, _label in response.context["practices"]]
    red_team = practices.index("red_teaming")
    guardrails = practices.index("guardrails")
    assert grid["System 01"][red_team].colour == "red" and "Finding 1" in grid["System 01"][red_team].reason
    assert grid["System 00"][red_team].colour == "green"
    assert grid["System 02"][guardrails].colour == "red"  # its one guardrail control is not verified
    cell = grid["System 01"][red_team]
    assert f'<td class="text-center grid-red"><a href="{cell.url}" title="' in response.content.decode()
    (row,) = response.context["teams"]
    figures = {f.label: f for f in row.figures}
    assert figures["Overdue"].value == 1 and f"team={team.pk}" in figures["Overdue"].url
    assert systems


def test_trends_are_read_from_snapshots_and_drawn_as_svg_with_a_table(client_for, auditor, org, team, lead, dashboard):
    from assessments.models import ControlAssignment
    from governance.models import AISystem

    world(org, team, lead, 3)
    month_ago = timezone.now() - dt.timedelta(days=30)
    AISystem.objects.update(created_at=month_ago)
    ControlAssignment.objects.update(created_at=month_ago)
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    take(org, week_ago)  # rebuilt from timestamps: nothing verified yet then
    response = client_for(auditor).get(dashboard, {"period": "365"})
    readiness_chart = response.context["charts"][0]
    assert readiness_chart.days == [week_ago, timezone.localdate()]
    security = readiness_chart.series[0]
    assert security.values == [0, 94] and security.points.count(",") == 2
    assert [row[1] for row in readiness_chart.table] == [[0, 0], [94, 100]]
    text = response.content.decode()
    assert "<polyline" in text and "style=" not in text


def test_the_work_list_filters_what_the_numbers_count(client_for, auditor, org, team, lead):
    world(org, team, lead, 3)
    url = reverse("readiness:work", args=[org.slug])
    response = client_for(auditor).get(url, {"domain": "security", "due": "overdue"})
    assert response.context["page"].paginator.count == 1
    findings = client_for(auditor).get(reverse("readiness:findings", args=[org.slug]), {"domain": "security"})
    assert findings.context["page"].paginator.count == 1


def test_the_inventory_shows_readiness_columns_and_filters_on_them(client_for, viewer, org, team, lead, inventory):
    world(org, team, lead, 3)
    c = client_for(viewer)
    text = c.get(inventory).content.decode()
    assert "Audit-ready" in text and "100 %" in text
    ready = c.get(inventory, {"readiness": "yes"}).context["page"].object_list
    assert [s.name for s in ready] == ["System 00"]
    below = c.get(inventory, {"readiness": "security_below"}).context["page"].object_list
    assert [s.name for s in below] == ["System 02"]  # 10 of 12 verified is 83 %
    assert len(c.get(inventory, {"readiness": "no"}).context["page"].object_list) == 2


@pytest.mark.parametrize("page", ["dashboard", "inventory"])
def test_query_counts_do_not_grow_with_systems(client_for, auditor, org, team, lead, page, request):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = request.getfixturevalue(page)
    c = client_for(auditor)
    c.get(url)  # the first visit remembers the organisation in the session
    counts = []
    for n, prefix in ((3, "Small"), (27, "Large")):  # 3 systems, then 30
        world(org, team, lead, n, prefix)
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(url, {"readiness": "no"} if page == "inventory" else {})
            assert response.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    if page == "dashboard":  # 20 of the 30 are not ready: a card for the first 12, a link to all
        assert len(response.context["not_ready"]) == 12
        assert [s.name for s in response.context["not_ready"]][:2] == ["Large 01", "Large 02"]
        assert "All 20 systems that are not audit-ready" in response.content.decode()


def test_systems_without_anything_show_dashes(client_for, viewer, org, team, inventory):
    AISystemFactory(organisation=org, owner_team=team, name="Empty")
    assert "—" in client_for(viewer).get(inventory).content.decode()


@pytest.mark.usefixtures("no_queries_in_templates")
@pytest.mark.parametrize("name", ["dashboard", "inventory"])
def test_no_query_runs_while_the_pages_render(client_for, auditor, org, team, lead, name, request):
    world(org, team, lead, 3)
    assert client_for(auditor).get(request.getfixturevalue(name)).status_code == 200
