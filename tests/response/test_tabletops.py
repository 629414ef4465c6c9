"""Tabletop exercises and the readiness question: an approved IR plan covering the system, with a
signed-off tabletop exercise within the tabletop cadence (`response.coverage`)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from records.models import FollowUp
from records.services import follow_up_raise, record_new_version
from response import services
from response.coverage import coverage
from response.models import TabletopExercise
from response.workflow import PLAN, TABLETOP
from tests.factories import AISystemFactory, TeamFactory
from tests.response.factories import PlaybookFactory

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def systems(org, team):
    return [AISystemFactory(organisation=org, owner_team=team, generates_text=True) for _ in range(2)]


def take(workflow, record, actor, name):
    return workflow.take(actor=actor, record=record, name=name, expected_version=record.version)


def approved_plan(member, lead, systems):
    plan = services.plan_create(
        actor=member, primary=systems[0], systems=systems[1:], data={"title": "Plan", "escalation_path": "On call"}
    )
    return take(PLAN, take(PLAN, plan, member, "submit"), lead, "approve")


def tabletop(plan, member, lead=None, held_on=TODAY - dt.timedelta(days=30)):
    playbook = plan.playbooks.first()
    data = {"title": "Leak drill", "held_on": held_on, "playbook": playbook, "scenario": "The prompt leaks."}
    exercise = services.tabletop_create(actor=member, plan=plan, data=data, m2m={"participants": [member]})
    if lead is not None:
        exercise = take(TABLETOP, take(TABLETOP, exercise, member, "submit"), lead, "approve")
    return exercise


def test_a_tabletop_is_recorded_for_a_playbook_of_the_plan(member, lead, systems):
    plan = approved_plan(member, lead, systems)
    exercise = tabletop(plan, member)
    assert exercise.ai_system == plan.ai_system and exercise.plan == plan
    other = PlaybookFactory(plan=approved_plan(member, lead, systems))
    with pytest.raises(ValidationError):
        services.tabletop_create(
            actor=member, plan=plan, data={"title": "X", "held_on": TODAY, "playbook": other, "scenario": "S"}, m2m={}
        )


def test_a_member_of_another_team_does_not_record_tabletops(make_member, org, member, lead, systems):
    plan = approved_plan(member, lead, systems)
    stranger = make_member(Role.MEMBER, teams=[TeamFactory(organisation=org)])
    with pytest.raises(PermissionDenied):
        tabletop(plan, stranger)


def test_another_lead_signs_off_and_the_next_is_due_a_cadence_after_it_was_held(member, lead, systems, org):
    exercise = tabletop(approved_plan(member, lead, systems), member)
    exercise = take(TABLETOP, exercise, member, "submit")
    with pytest.raises(PermissionDenied):
        take(TABLETOP, exercise, member, "approve")
    exercise = take(TABLETOP, exercise, lead, "approve")
    assert exercise.next_review_due == exercise.held_on + dt.timedelta(days=org.tabletop_cadence_days)


def test_follow_ups_of_a_tabletop_are_owned_work(member, lead, systems, team):
    exercise = tabletop(approved_plan(member, lead, systems), member)
    for title in ("Add the legal on-call number", "Practise the holding statement"):
        follow_up_raise(
            exercise, actor=member, domain="security", practice="incident_response", title=title, owner_team=team
        )
    assert FollowUp.objects.filter(source_id=exercise.pk, owner_team=team, status="open").count() == 2


# --- coverage --------------------------------------------------------------------------------


def test_no_plan_means_the_gate_fails(systems):
    result = coverage([s.pk for s in systems], today=TODAY)
    assert all(not c.ok and c.plan is None for c in result.values())


def test_an_approved_plan_without_a_tabletop_fails_with_a_reason(member, lead, systems):
    plan = approved_plan(member, lead, systems)
    result = coverage([systems[1].pk], today=TODAY)[systems[1].pk]
    assert not result.ok and result.plan == plan and "no signed-off tabletop" in result.reason


def test_a_draft_plan_or_a_draft_tabletop_does_not_count(member, lead, systems):
    draft = services.plan_create(actor=member, primary=systems[0], data={"title": "Draft", "escalation_path": "x"})
    assert coverage([systems[0].pk], today=TODAY)[systems[0].pk].plan is None
    plan = approved_plan(member, lead, systems)
    tabletop(plan, member)  # not signed off
    assert not coverage([systems[0].pk], today=TODAY)[systems[0].pk].ok
    assert draft.pk != plan.pk


def test_a_signed_off_tabletop_within_cadence_passes_every_covered_system(member, lead, systems):
    plan = approved_plan(member, lead, systems)
    exercise = tabletop(plan, member, lead)
    result = coverage([s.pk for s in systems], today=TODAY)
    assert all(c.ok and c.plan == plan and c.last_tabletop == exercise for c in result.values())


def test_a_tabletop_older_than_the_cadence_fails(member, lead, systems, org):
    plan = approved_plan(member, lead, systems)
    held = TODAY - dt.timedelta(days=org.tabletop_cadence_days + 1)
    tabletop(plan, member, lead, held_on=held)
    result = coverage([systems[0].pk], today=TODAY)[systems[0].pk]
    assert not result.ok and "one is due every" in result.reason
    assert coverage([systems[0].pk], today=held + dt.timedelta(days=org.tabletop_cadence_days))[systems[0].pk].ok


def test_an_overdue_plan_review_fails(member, lead, systems):
    plan = approved_plan(member, lead, systems)
    tabletop(plan, member, lead)
    later = plan.next_review_due + dt.timedelta(days=1)
    result = coverage([systems[0].pk], today=later)[systems[0].pk]
    assert not result.ok and "due for review" in result.reason


def test_a_new_approved_version_that_drops_a_system_no_longer_covers_it(member, lead, systems):
    plan = approved_plan(member, lead, systems)
    tabletop(plan, member, lead)
    new = record_new_version(plan, actor=member, expected_version=plan.version)
    new = services.plan_update(
        actor=member, plan=new, expected_version=new.version, data={"title": "Plan v2"}, systems=[]
    )
    # While v2 is a draft, v1 still speaks for both systems.
    assert coverage([systems[1].pk], today=TODAY)[systems[1].pk].plan == plan
    take(PLAN, take(PLAN, new, member, "submit"), lead, "approve")
    result = coverage([s.pk for s in systems], today=TODAY)
    assert result[systems[1].pk].plan is None
    # The tabletop of version 1 still counts for version 2 (same plan).
    assert result[systems[0].pk].ok and result[systems[0].pk].plan.pk == new.pk


def test_coverage_takes_a_fixed_number_of_queries(member, lead, org, team, django_assert_num_queries):
    many = [AISystemFactory(organisation=org, owner_team=team, generates_text=True) for _ in range(6)]
    for pair in (many[:2], many[2:4], many[4:]):
        tabletop(approved_plan(member, lead, pair), member, lead)
    with django_assert_num_queries(2):
        result = coverage([s.pk for s in many], today=TODAY)
    assert all(c.ok for c in result.values())


# --- pages ---------------------------------------------------------------------------------------


def test_a_tabletop_is_recorded_from_the_page_and_shown_on_the_system_page(client_for, member, lead, org, systems):
    plan = approved_plan(member, lead, systems)
    url = reverse("response:tabletop_create", args=[org.slug, plan.pk])
    assert client_for(member).get(url).status_code == 200
    data = {
        "title": "Drill",
        "held_on": "2026-11-01",
        "playbook": plan.playbooks.first().pk,
        "scenario": "Someone posts the system prompt.",
        "participants": [member.pk],
        "timeline": "09:00 alert\n09:20 contained",
    }
    response = client_for(member).post(url, data)
    exercise = TabletopExercise.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "response:tabletop_detail", args=[org.slug, exercise.pk]
    )
    detail = client_for(member).get(response.url)
    assert b"09:20 contained" in detail.content
    take(TABLETOP, take(TABLETOP, exercise, member, "submit"), lead, "approve")
    tab = client_for(member).get(reverse("response:system_plans", args=[org.slug, systems[1].pk]))
    assert tab.context["coverage"].last_tabletop == exercise
    overview = client_for(member).get(reverse("governance:system_detail", args=[org.slug, systems[1].pk]))
    assert b"Drill" in overview.content and b"Gate passes" in overview.content


def test_the_tabletop_form_shows_errors(client_for, member, lead, org, systems):
    plan = approved_plan(member, lead, systems)
    url = reverse("response:tabletop_create", args=[org.slug, plan.pk])
    response = client_for(member).post(url, {"title": "Drill", "held_on": "not a date"})
    assert response.status_code == 200 and {"held_on", "playbook", "scenario"} <= set(response.context["form"].errors)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_readers_neither_submit_nor_sign_off_a_tabletop(make_member, member, lead, systems, role):
    exercise = tabletop(approved_plan(member, lead, systems), member)
    reader = make_member(role, teams=[systems[0].owner_team])
    with pytest.raises(PermissionDenied):
        take(TABLETOP, exercise, reader, "submit")
    exercise = take(TABLETOP, exercise, member, "submit")
    with pytest.raises(PermissionDenied):
        take(TABLETOP, exercise, reader, "approve")


def test_a_follow_up_is_raised_from_the_tabletop_page(client_for, member, lead, org, team, systems):
    exercise = tabletop(approved_plan(member, lead, systems), member)
    url = reverse("response:tabletop_follow_up", args=[org.slug, exercise.pk])
    response = client_for(member).post(url, {"title": "Print the contact sheet", "owner_team": team.pk})
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.source == exercise and follow_up.owner_team == team
    work = client_for(member).get(reverse("assessments:work_list", args=[org.slug]))
    assert b"Print the contact sheet" in work.content
