"""The assignment page: what it shows, reassignment, comments, and its query budget."""

import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.models import Comment, ControlAssignment
from audit.models import AuditEvent
from tests.assessments.factories import ControlAssignmentFactory, EvidenceFactory
from tests.factories import ControlFactory, TeamFactory


@pytest.fixture
def assignment(system):
    control = ControlFactory(
        ref="GR-77",
        title="Screen answers for self-harm content",
        domain="safety",
        practice="guardrails",
        applies_when={"flag": "vulnerable_users"},
        evidence_hint="A test run against the self-harm prompt set.",
    )
    return ControlAssignmentFactory(ai_system=system, control=control)


def detail(a):
    return reverse("assessments:assignment_detail", args=[a.organisation.slug, a.pk])


def edit(a):
    return reverse("assessments:assignment_edit", args=[a.organisation.slug, a.pk])


def test_it_shows_the_control_why_it_applies_and_the_next_steps(client_for, member, assignment):
    body = client_for(member).get(detail(assignment)).content.decode()
    assert "GR-77 Screen answers for self-harm content" in body
    assert "“May be used by minors or vulnerable people” is ticked" in body
    assert "A test run against the self-harm prompt set." in body
    assert "Start work" in body and "Propose not applicable" in body
    assert "Add evidence that is still valid first" in body  # why it cannot be marked implemented yet


def test_it_says_when_the_control_no_longer_applies(client_for, member, assignment, system):
    system.vulnerable_users = False
    system.save()
    assert "next assessment will retire it" in client_for(member).get(detail(assignment)).content.decode()


def test_readers_see_it_without_forms(client_for, viewer, assignment):
    response = client_for(viewer).get(detail(assignment))
    assert response.status_code == 200
    assert "edit_form" not in response.context and "comment_form" not in response.context
    assert b"Start work" not in response.content


def test_a_member_reassigns_within_the_team_and_it_is_audited(client_for, member, make_member, team, assignment):
    colleague = make_member(Role.MEMBER, "colleague", teams=[team])
    response = client_for(member).post(
        edit(assignment), {"assignee": colleague.pk, "due_date": "2099-02-28", "version": assignment.version}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.assignee == colleague and str(assignment.due_date) == "2099-02-28"
    event = AuditEvent.objects.get(action="assessments.assignment.updated")
    assert event.after["assignee"] == colleague.pk


def test_an_assignee_outside_the_team_is_refused_and_the_form_shown_again(
    client_for, member, make_member, org, assignment
):
    stranger = make_member(Role.MEMBER, teams=[TeamFactory(organisation=org, name="Elsewhere")])
    response = client_for(member).post(edit(assignment), {"assignee": stranger.pk, "version": assignment.version})
    assert response.status_code == 200
    assert "assignee" in response.context["edit_form"].errors
    assignment.refresh_from_db()
    assert assignment.assignee is None


def test_members_cannot_move_work_to_another_team(client_for, member, safety_team, assignment, team):
    client_for(member).post(edit(assignment), {"owner_team": safety_team.pk, "version": assignment.version})
    assignment.refresh_from_db()
    assert assignment.owner_team == team  # the field is not theirs: ignored


def test_a_lead_moves_work_to_another_team_and_the_old_assignee_is_cleared(
    client_for, lead, member, safety_team, assignment
):
    assignment.assignee = member
    assignment.save()
    response = client_for(lead).post(edit(assignment), {"owner_team": safety_team.pk, "version": assignment.version})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.owner_team == safety_team and assignment.assignee is None


def test_a_concurrent_edit_is_a_conflict(client_for, member, lead, assignment):
    client_for(lead).post(
        edit(assignment), {"due_date": "2099-01-01", "owner_team": assignment.owner_team_id, "version": 1}
    )
    response = client_for(member).post(edit(assignment), {"due_date": "2099-12-31", "version": 1})
    assert response.status_code == 200 and response.context["conflict"]
    assignment.refresh_from_db()
    assert str(assignment.due_date) == "2099-01-01"


def test_a_member_of_another_team_cannot_edit(client_for, safety_member, assignment):
    assert client_for(safety_member).post(edit(assignment), {"due_date": "2099-01-01", "version": 1}).status_code == 403


def test_comments_form_a_thread(client_for, member, lead, assignment):
    url = reverse("assessments:comment_add", args=[assignment.organisation.slug, assignment.pk])
    client_for(member).post(url, {"body": "Which prompt set do we use?"})
    client_for(lead).post(url, {"body": "The 2025 one."})
    assert list(Comment.objects.values_list("body", flat=True)) == ["Which prompt set do we use?", "The 2025 one."]
    body = client_for(member).get(detail(assignment)).content.decode()
    assert body.index("Which prompt set") < body.index("The 2025 one.")
    assert AuditEvent.objects.filter(action="assessments.comment.added").count() == 2


def test_an_empty_comment_is_shown_again(client_for, member, assignment):
    url = reverse("assessments:comment_add", args=[assignment.organisation.slug, assignment.pk])
    response = client_for(member).post(url, {"body": ""})
    assert response.status_code == 200 and response.context["comment_form"].errors
    assert not Comment.objects.exists()


def test_the_cosigning_team_comments_other_teams_do_not(client_for, safety_member, make_member, org, system):
    both = ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(domain="both"), cosigning_team=safety_member.teams.get()
    )
    url = reverse("assessments:comment_add", args=[both.organisation.slug, both.pk])
    assert client_for(safety_member).post(url, {"body": "Ready to co-sign?"}).status_code == 302
    stranger = make_member(Role.MEMBER, teams=[TeamFactory(organisation=org, name="Elsewhere")])
    assert client_for(stranger).post(url, {"body": "Hello"}).status_code == 403


def test_a_foreign_assignment_is_404(client_for, member, outsider):
    foreign = ControlAssignmentFactory(
        ai_system__organisation=outsider.memberships.get().organisation, control=ControlFactory()
    )
    assert (
        client_for(member).get(reverse("assessments:assignment_detail", args=["acme-test", foreign.pk])).status_code
        == 404
    )


def test_anonymous_is_sent_to_login(client, assignment):
    assert client.get(detail(assignment))["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_is_constant(client_for, member, assignment, rows, django_assert_num_queries):
    for i in range(rows):
        EvidenceFactory(assignment=assignment, uploaded_by=member, note=f"Run {i}")
        Comment.objects.create(organisation=assignment.organisation, assignment=assignment, author=member, body=f"#{i}")
    c = client_for(member)
    c.get(detail(assignment))
    # session, user, membership, assignment (+control, system, teams, people), evidence (+people),
    # comments (+authors), the user's teams, history (+actors), assignee choices, other organisations
    with django_assert_num_queries(10):
        response = c.get(detail(assignment))
    assert len(response.context["evidence"]) == rows and len(response.context["comments"]) == rows
    assert ControlAssignment.objects.count() == 1
