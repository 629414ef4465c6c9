"""The assignment lifecycle through the web: allowed and forbidden transitions per role and team."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import AssignmentStatus, Comment, ControlAssignment
from audit.models import AuditEvent
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.factories import ControlFactory

S = AssignmentStatus


@pytest.fixture
def people(admin, lead, lead2, member, safety_member, platform_member, viewer, auditor):
    return {
        "admin": admin,
        "lead": lead,
        "lead2": lead2,
        "member": member,  # in the security team, which owns the security control
        "safety_member": safety_member,
        "platform_member": platform_member,
        "viewer": viewer,
        "auditor": auditor,
    }


def make(system, state, *, control=None, **fields):
    """An assignment of the security team's system in `state`, with the fields that state implies."""
    return ControlAssignmentFactory(ai_system=system, control=control or ControlFactory(), status=state, **fields)


def act(client, assignment, action, text="", version=None, **extra):
    url = reverse("assessments:assignment_act", args=[assignment.organisation.slug, assignment.pk])
    data = {"action": action, "text": text, "version": assignment.version if version is None else version}
    return client.post(url, data, **extra)


# (actor, action, starting state and fields, expected outcome: a status, "403", or "refused")
TRANSITIONS = [
    ("member", "start", {}, S.IN_PROGRESS),
    ("lead", "start", {}, S.IN_PROGRESS),
    ("admin", "start", {}, S.IN_PROGRESS),
    ("safety_member", "start", {}, "403"),  # another team
    ("viewer", "start", {}, "403"),
    ("auditor", "start", {}, "403"),
    ("member", "implement", {"status": S.IN_PROGRESS, "evidence": True}, S.IMPLEMENTED),
    ("member", "implement", {"status": S.NOT_STARTED, "evidence": True}, S.IMPLEMENTED),
    ("member", "implement", {"status": S.IN_PROGRESS}, "refused"),  # no evidence
    ("member", "implement", {"status": S.IN_PROGRESS, "evidence": "expired"}, "refused"),
    ("safety_member", "implement", {"status": S.IN_PROGRESS, "evidence": True}, "403"),
    ("lead", "verify", {"status": S.IMPLEMENTED, "implemented_by": "member"}, S.VERIFIED),
    ("admin", "verify", {"status": S.IMPLEMENTED, "implemented_by": "member"}, S.VERIFIED),
    ("lead", "verify", {"status": S.IMPLEMENTED, "implemented_by": "lead"}, "403"),  # not the implementer
    ("member", "verify", {"status": S.IMPLEMENTED, "implemented_by": "lead"}, "403"),  # members do not verify
    ("lead", "verify", {"status": S.IN_PROGRESS}, "refused"),
    ("member", "cosign", {"status": S.IMPLEMENTED, "implemented_by": "lead"}, "403"),  # no co-signing team
    ("member", "propose_na", {"status": S.IN_PROGRESS, "text": "Not exposed."}, S.NOT_APPLICABLE),
    ("member", "propose_na", {"status": S.IN_PROGRESS}, "refused"),  # a justification is required
    ("lead", "approve_na", {"status": S.NOT_APPLICABLE, "na_proposed_by": "member"}, S.NOT_APPLICABLE),
    ("lead", "approve_na", {"status": S.NOT_APPLICABLE, "na_proposed_by": "lead"}, "403"),  # not their own
    ("member", "approve_na", {"status": S.NOT_APPLICABLE, "na_proposed_by": "lead"}, "403"),
    (
        "lead2",
        "reject_na",
        {"status": S.NOT_APPLICABLE, "na_proposed_by": "lead", "text": "It applies."},
        S.IN_PROGRESS,
    ),
    ("lead", "send_back", {"status": S.IMPLEMENTED, "implemented_by": "member", "text": "Test run?"}, S.IN_PROGRESS),
    ("member", "send_back", {"status": S.IMPLEMENTED, "implemented_by": "lead", "text": "x"}, "403"),
    ("lead", "reopen", {"status": S.VERIFIED, "text": "Evidence expired."}, S.IN_PROGRESS),
    ("member", "reopen", {"status": S.VERIFIED, "text": "x"}, "403"),
    ("lead", "reopen", {"status": S.IN_PROGRESS, "text": "x"}, "refused"),
]


@pytest.mark.parametrize(("actor", "action", "start", "expected"), TRANSITIONS)
def test_transitions_per_role_and_team(client_for, people, system, actor, action, start, expected):
    start = dict(start)
    text = start.pop("text", "")
    evidence = start.pop("evidence", None)
    for key in ("implemented_by", "na_proposed_by"):
        if key in start:
            start[key] = people[start[key]]
    assignment = make(system, start.pop("status", S.NOT_STARTED), **start)
    if evidence:
        until = timezone.localdate() - dt.timedelta(days=1) if evidence == "expired" else None
        EvidenceFactory(assignment=assignment, valid_until=until)
    before_status, before_events = assignment.status, AuditEvent.objects.count()

    response = act(client_for(people[actor]), assignment, action, text)

    assignment.refresh_from_db()
    if expected == "403":
        assert response.status_code == 403
        assert (assignment.status, assignment.version) == (before_status, 1)
        assert AuditEvent.objects.count() == before_events
    elif expected == "refused":
        assert response.status_code == 200  # shown again with the reason
        assert response.context["action_error"]
        assert (assignment.status, assignment.version) == (before_status, 1)
        assert AuditEvent.objects.count() == before_events
    else:
        assert response.status_code == 302
        assert assignment.status == expected
        assert assignment.version == 2
        event = AuditEvent.objects.get(action=f"assessments.assignment.{action}")
        assert event.object_id == str(assignment.pk) and event.actor == people[actor]


def test_implementing_records_who_and_when(client_for, member, system):
    assignment = make(system, S.IN_PROGRESS)
    EvidenceFactory(assignment=assignment)
    act(client_for(member), assignment, "implement")
    assignment.refresh_from_db()
    assert assignment.implemented_by == member and assignment.implemented_at


def test_an_approved_not_applicable_claim_is_decided(client_for, lead, member, system):
    assignment = make(system, S.NOT_APPLICABLE, na_proposed_by=member, justification="Internal only.")
    act(client_for(lead), assignment, "approve_na")
    assignment.refresh_from_db()
    assert assignment.is_decided and assignment.na_approved_by == lead
    assert ControlAssignment.objects.decided().get() == assignment


def test_sending_back_voids_the_signoffs_and_leaves_the_reason_in_the_thread(client_for, lead, member, system):
    assignment = make(system, S.IMPLEMENTED, implemented_by=member)
    act(client_for(lead), assignment, "send_back", "Please attach the test run.")
    assignment.refresh_from_db()
    assert assignment.status == S.IN_PROGRESS and assignment.implemented_by is None
    assert Comment.objects.get(assignment=assignment).body == "Send back: Please attach the test run."


@pytest.fixture
def both_assignment(system, platform_team, safety_team, platform_member):
    """A control of both domains, built by ML Platform, co-signed by Responsible AI, implemented."""
    return make(
        system,
        S.IMPLEMENTED,
        control=ControlFactory(domain="both", practice="data_governance"),
        owner_team=platform_team,
        cosigning_team=safety_team,
        implemented_by=platform_member,
    )


def test_a_control_of_both_domains_needs_both_signoffs(client_for, lead, safety_member, both_assignment):
    act(client_for(lead), both_assignment, "verify")
    both_assignment.refresh_from_db()
    assert both_assignment.status == S.IMPLEMENTED and both_assignment.verified_by == lead
    response = client_for(lead).get(both_assignment.get_absolute_url())
    assert "Implemented · 1 of 2 sign-offs" in response.content.decode()
    act(client_for(safety_member), both_assignment, "cosign")
    both_assignment.refresh_from_db()
    assert both_assignment.status == S.VERIFIED
    assert (both_assignment.verified_by, both_assignment.cosigned_by) == (lead, safety_member)


def test_the_cosignature_can_come_first(client_for, lead, safety_member, both_assignment):
    act(client_for(safety_member), both_assignment, "cosign")
    both_assignment.refresh_from_db()
    assert both_assignment.status == S.IMPLEMENTED
    act(client_for(lead), both_assignment, "verify")
    both_assignment.refresh_from_db()
    assert both_assignment.status == S.VERIFIED


def test_the_owner_team_does_not_cosign_its_own_work(
    client_for, platform_member, make_member, platform_team, both_assignment
):
    colleague = make_member(Role.MEMBER, teams=[platform_team])
    assert act(client_for(colleague), both_assignment, "cosign").status_code == 403
    assert act(client_for(platform_member), both_assignment, "cosign").status_code == 403


def test_one_person_gives_only_one_of_the_two_signoffs(client_for, lead, safety_team, both_assignment):
    safety_team.members.add(lead)  # a lead who is also in the co-signing team
    act(client_for(lead), both_assignment, "verify")
    both_assignment.refresh_from_db()
    assert act(client_for(lead), both_assignment, "cosign").status_code == 403
    both_assignment.refresh_from_db()
    assert both_assignment.cosigned_by is None and both_assignment.status == S.IMPLEMENTED


def test_a_stale_action_is_a_conflict_showing_what_changed(client_for, member, lead, system):
    assignment = make(system, S.NOT_STARTED)
    act(client_for(lead), assignment, "start")  # version 2
    response = act(client_for(member), assignment, "propose_na", "Not relevant.", version=1)
    assert response.status_code == 200
    changes = [c for e in response.context["conflict"]["events"] for c in e.changes()]
    assert ("status", "not_started", "in_progress") in changes
    assert "Someone else saved this while you were editing." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == S.IN_PROGRESS and assignment.version == 2


def inline_url(assignment, version: int) -> str:
    """Where a list's action button posts: the row's URL with the version the row showed (the
    buttons share the page's one form, and a button carries only its action)."""
    url = reverse("assessments:assignment_act", args=[assignment.organisation.slug, assignment.pk])
    return f"{url}?version={version}"


def test_inline_from_a_list_the_row_is_swapped_with_its_new_state(client_for, member, system):
    assignment = make(system, S.NOT_STARTED)
    response = client_for(member).post(
        inline_url(assignment, 1),
        {"action": "start", "row": "work", "next": "/o/acme-test/work/"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="assignment-{assignment.pk}">')
    assert "In progress" in body and "Start work: done" in body
    assert 'data-announce="' in body
    # The swapped row keeps its tick box for the bulk bar, with the new version.
    assert f'name="selected" value="{assignment.pk}:2"' in body


def test_inline_without_javascript_goes_back_to_the_list(client_for, member, system):
    assignment = make(system, S.NOT_STARTED)
    response = client_for(member).post(
        inline_url(assignment, 1), {"action": "start", "row": "work", "next": "/o/acme-test/work/?status=open"}
    )
    assert response["Location"] == "/o/acme-test/work/?status=open"


def test_inline_conflict_shows_the_current_state_in_the_row(client_for, member, lead, system):
    assignment = make(system, S.NOT_STARTED)
    act(client_for(lead), assignment, "start")
    response = client_for(member).post(
        inline_url(assignment, 1), {"action": "start", "row": "work"}, HTTP_HX_REQUEST="true"
    )
    assert "Changed by someone else meanwhile; nothing was saved." in response.content.decode()


def test_an_unknown_action_is_shown_again(client_for, member, system):
    assignment = make(system, S.NOT_STARTED)
    response = act(client_for(member), assignment, "teleport")
    assert response.status_code == 200 and response.context["action_error"] == "Choose an action."


def test_an_outsider_gets_404(client_for, outsider, system):
    assignment = make(system, S.NOT_STARTED)
    assert act(client_for(outsider), assignment, "start").status_code == 404


def test_anonymous_is_sent_to_login(client, system):
    assignment = make(system, S.NOT_STARTED)
    assert act(client, assignment, "start")["Location"].startswith(reverse("login"))


def test_a_justification_with_hidden_characters_is_shown_again_with_the_choice(client_for, member, system):
    assignment = make(system, S.IN_PROGRESS)
    client = client_for(member)
    response = act(client, assignment, "propose_na", "Not exposed.\u202e")
    body = response.content.decode()
    assert response.status_code == 200 and "U+202E RIGHT-TO-LEFT OVERRIDE" in body
    assert 'name="text__hidden"' in body and "Not exposed." in body
    assignment.refresh_from_db()
    assert assignment.status == S.IN_PROGRESS
    url = reverse("assessments:assignment_act", args=[assignment.organisation.slug, assignment.pk])
    data = {"action": "propose_na", "text": "Not exposed.\u202e", "text__hidden": "strip", "version": 1}
    client.post(url, data)
    assignment.refresh_from_db()
    assert assignment.status == S.NOT_APPLICABLE and assignment.justification == "Not exposed."
    assert AuditEvent.objects.filter(action="core.hidden_text.decided", object_id=str(assignment.pk)).exists()
