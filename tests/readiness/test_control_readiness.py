"""Control readiness: verified / applicable per domain, the shared rule every page uses."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssignmentStatus as S
from assessments.models import ControlAssignment
from readiness.controls import readiness_by_system, system_readiness, teams_load
from tests.assessments.factories import ControlAssignmentFactory
from tests.factories import AISystemFactory, ControlFactory

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def add(system, domain, status=S.NOT_STARTED, **fields):
    return ControlAssignmentFactory(ai_system=system, control=ControlFactory(domain=domain), status=status, **fields)


@pytest.fixture
def picture(system, member):
    add(system, "security", S.VERIFIED)
    add(system, "security", S.IMPLEMENTED)
    add(system, "security", S.NOT_STARTED, due_date=YESTERDAY)  # overdue
    add(system, "security", S.NOT_APPLICABLE, na_proposed_by=member, na_approved_at=timezone.now())  # leaves
    add(system, "safety", S.NOT_APPLICABLE, na_proposed_by=member)  # pending: still counts
    add(system, "safety", S.VERIFIED, due_date=YESTERDAY)  # decided: not overdue
    add(system, "both", S.VERIFIED)  # counts in both domains
    add(system, "both", S.IN_PROGRESS, retired_at=timezone.now())  # retired: counts nowhere
    return system


def test_the_readiness_rule(picture):
    readiness = system_readiness(picture)
    security, safety = readiness.domains
    assert (security.domain, security.verified, security.applicable) == ("security", 2, 4)
    assert security.percent == 50
    assert (security.awaiting_verification, security.overdue) == (1, 1)
    assert (safety.verified, safety.applicable, safety.percent, safety.overdue) == (2, 3, 67, 0)
    assert (readiness.total, readiness.decided, readiness.na_pending) == (7, 4, 1)
    assert readiness.overdue == 1 and not readiness.all_decided


def test_a_domain_without_controls_has_no_percentage(system):
    add(system, "security", S.VERIFIED)
    security, safety = system_readiness(system).domains
    assert security.percent == 100 and safety.percent is None


def test_many_systems_at_once_agree_with_one_at_a_time(picture, org, team):
    other = AISystemFactory(organisation=org, owner_team=team)
    add(other, "safety", S.VERIFIED)
    by_system = readiness_by_system(ControlAssignment.objects.for_org(org))
    assert by_system[picture.pk] == system_readiness(picture)
    assert by_system[other.pk].domains[1].percent == 100


def test_team_load_counts_open_work_and_cosignatures_waiting(system, team, safety_team):
    add(system, "security", S.NOT_STARTED, due_date=YESTERDAY)
    add(system, "security", S.IN_PROGRESS)
    add(system, "security", S.IMPLEMENTED)
    add(system, "security", S.VERIFIED)
    add(system, "both", S.IMPLEMENTED, owner_team=team, cosigning_team=safety_team)
    loads = {load.team: load for load in teams_load([team, safety_team])}
    mine = loads[team]
    assert (mine.open, mine.not_started, mine.in_progress, mine.awaiting_verification, mine.overdue) == (4, 1, 1, 2, 1)
    assert loads[safety_team].awaiting_cosign == 1 and loads[safety_team].open == 0


def test_the_system_page_shows_readiness_on_its_overview(client_for, viewer, picture):
    body = client_for(viewer).get(reverse("governance:system_detail", args=[picture.organisation.slug, picture.pk]))
    text = body.content.decode()
    assert "Control readiness" in text
    assert "2 of 4 verified" in text and "2 of 3 verified" in text
    assert 'value="50"' in text


def test_the_team_page_shows_its_load_and_who_carries_it(client_for, viewer, system, team, member):
    add(system, "security", S.IN_PROGRESS, assignee=member)
    add(system, "security", S.NOT_STARTED, due_date=YESTERDAY)
    response = client_for(viewer).get(reverse("accounts:team_detail", args=[team.organisation.slug, team.pk]))
    text = response.content.decode()
    assert "Open work per person" in text and "Unassigned" in text
    assert member.first_name in text


def test_cached_loads_follow_every_change_recorded_in_the_audit_trail(org, team, system, admin):
    from django.db import transaction

    from audit.services import record
    from readiness.controls import org_teams_load, team_load_cached

    add(system, "security")
    assert org_teams_load(org, [team])[0].not_started == 1
    assert team_load_cached(org, team)[0].not_started == 1
    add(system, "security")  # written without an audit event: the cached counts stay
    assert org_teams_load(org, [team])[0].not_started == 1
    with transaction.atomic():  # any change to governance data moves the chain head
        record(organisation=org, actor=admin, action="test.changed", obj=system)
    assert org_teams_load(org, [team])[0].not_started == 2
    assert team_load_cached(org, team)[0].not_started == 2
