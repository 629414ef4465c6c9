"""Speed guards that run on every CI run (issue 8; the timings themselves are `make bench`'s job).

1. Every GET page of the permission matrix runs the same number of queries with one of
   everything and with about five times as many rows: a query per row cannot hide behind a
   small test world. A URL added to the matrix is checked here without further work.
2. No query runs while a main page's template renders: views fetch, templates only render
   (the guard django-zen-queries gives, done with Django's own execute_wrapper).
"""

import contextlib

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.template import base as template_base
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from audit.services import record
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory, EvidenceFactory
from tests.factories import AISystemFactory, ControlFactory, FrameworkItemFactory, TeamFactory, UserFactory
from tests.matrix import ROLES, Row, area_modules
from tests.test_permissions import MATRIX, _request, _world_for_module, world  # noqa: F401  (fixtures)

GET_PAGES = sorted(name for name, row in MATRIX.items() if row.method == "get")


def persona(row: Row) -> Role:
    """The highest role the row admits (it sees the most, so the most can go wrong)."""
    return [role for role in ROLES if role in row.allowed][-1]


def grow(w: dict, times: int = 4) -> None:
    """Add `times` more of the rows the pages list, in the world's organisation and team."""
    org, team, admin = w["org"], w["team"], w["users"][Role.ADMIN]
    item = FrameworkItemFactory()
    for i in range(times):
        user = UserFactory(username=f"scale-user-{i}")
        w["target"].organisation.memberships.create(user=user, role=Role.MEMBER)
        team.members.add(user)
        other_team = TeamFactory(organisation=org, name=f"Scale team {i}", members=[user])
        system = AISystemFactory(organisation=org, owner_team=team if i % 2 else other_team, name=f"Scale {i}")
        AssessmentFactory(ai_system=system, started_by=admin)
        control = ControlFactory(mappings=[item])
        for target in (system, w["system"]):
            assignment = ControlAssignmentFactory(
                ai_system=target,
                control=control,
                owner_team=team,
                cosigning_team=other_team,
                assignee=user,
                due_date="2020-01-01",
            )
            EvidenceFactory(assignment=assignment, uploaded_by=user)
        assignment.comments.create(organisation=org, author=user, body=f"Comment {i}")
        with transaction.atomic():
            for obj in (system, assignment, w["system"]):
                record(organisation=org, actor=user, action="scale.updated", obj=obj, after={"n": i})
    for module in area_modules():  # each area adds more of its own rows (tests/matrix/<area>.py)
        if hasattr(module, "grow"):
            module.grow(w, times)


def count_queries(client, name: str, row: Row, w: dict) -> int:
    cache.clear()  # both sizes measured as the first visit after a change (a cache miss)
    with CaptureQueriesContext(connection) as ctx:
        response = _request(client, name, row, w, who=persona(row))
    assert response.status_code in row.ok, f"{name} answered {response.status_code}"
    return len(ctx)


@pytest.fixture(scope="module")
def counts(_world_for_module, django_db_blocker):  # noqa: F811
    """Every page's query count with one row of each, then, after growing the world once, with
    five. Growing once for all pages (instead of once per page) keeps this test a few seconds;
    a page that fails keeps its error, raised by that page's own test."""

    def measure(client, name):
        try:
            return count_queries(client, name, MATRIX[name], _world_for_module)
        except Exception as error:  # re-raised by the page's own test
            return error

    # Time stands still while measuring: sessions and tokens note activity at most once a minute,
    # and a slow run would otherwise see such a write in one size and not the other.
    with time_machine.travel(timezone.now(), tick=False), django_db_blocker.unblock(), transaction.atomic():
        # One first visit per persona and way in (a session, an API token): it writes what a
        # first visit writes (the session, the token's last use), which later visits do not.
        clients, visited = {}, set()
        for name in GET_PAGES:
            row = MATRIX[name]
            if persona(row) not in clients:
                clients[persona(row)] = Client()
                clients[persona(row)].force_login(_world_for_module["users"][persona(row)])
            if (persona(row), bool(row.api)) not in visited:
                visited.add((persona(row), bool(row.api)))
                _request(clients[persona(row)], name, row, _world_for_module, who=persona(row))
        small = {name: measure(clients[persona(MATRIX[name])], name) for name in GET_PAGES}
        grow(_world_for_module)
        large = {name: measure(clients[persona(MATRIX[name])], name) for name in GET_PAGES}
        transaction.set_rollback(True)
    return small, large


# One worker measures every page (`make test` distributes with --dist loadgroup), so the world
# grows once per run, not once per worker.
@pytest.mark.xdist_group("query_scaling")
@pytest.mark.parametrize("name", GET_PAGES)
def test_query_count_does_not_grow_with_rows(counts, name):
    small, large = counts[0][name], counts[1][name]
    for result in (small, large):
        if isinstance(result, BaseException):
            raise result
    assert large == small, f"{name}: {small} queries with one row of each, {large} with five"


# --- no queries while templates render --------------------------------------------------------


class QueryInTemplate(AssertionError):
    pass


def _refuse(execute, sql, params, many, context):
    raise QueryInTemplate(f"query while rendering a template: {sql[:200]}")


@pytest.fixture
def no_queries_in_templates(monkeypatch):
    """Any query run by a template's own rendering raises (context processors run before)."""
    original = template_base.Template._render

    def guarded(self, context):
        guard = connection.execute_wrapper(_refuse) if context.template is self else contextlib.nullcontext()
        with guard:
            return original(self, context)

    monkeypatch.setattr(template_base.Template, "_render", guarded)


MAIN_PAGES = [
    "org_home",
    "governance:system_list",
    "governance:system_detail",
    "assessments:system_controls",
    "assessments:work_list",
    "assessments:assessment_list",
    "assessments:assessment_detail",
    "assessments:assignment_detail",
    "governance:control_list",
    "governance:crosswalk",
    "governance:triage",
    "accounts:team_list",
    "accounts:team_detail",
    "audit:event_list",
    "incidents:incident_list",
    "incidents:incident_detail",
    "incidents:system_incidents",
    "alignment:review_list",
    "alignment:review_detail",
    "notifications:list",
    "reports:pack_list",
]


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_pages_run_no_query_while_rendering(client, world, no_queries_in_templates, name):  # noqa: F811
    row = MATRIX[name]
    client.force_login(world["users"][persona(row)])
    grow(world, times=1)
    response = _request(client, name, row, world)
    assert response.status_code in row.ok
