"""Submitting an assessment for review, and another lead's decision."""

import pytest
from django.urls import reverse

from assessments.models import AssessmentStatus, AssignmentStatus, Review
from audit.models import AuditEvent
from tests.assessments.factories import AssessmentFactory, ControlAssignmentFactory
from tests.factories import ControlFactory


@pytest.fixture
def assessment(system):
    return AssessmentFactory(ai_system=system, status=AssessmentStatus.IN_PROGRESS)


@pytest.fixture
def decided(assessment, system, member):
    """Every assignment decided: one verified, one approved as not applicable."""
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(), status=AssignmentStatus.VERIFIED)
    ControlAssignmentFactory(
        ai_system=system,
        control=ControlFactory(),
        status=AssignmentStatus.NOT_APPLICABLE,
        na_proposed_by=member,
        na_approved_at=assessment.created_at,
    )


def submit(client, a, note="", version=None):
    return client.post(
        reverse("assessments:assessment_submit", args=[a.organisation.slug, a.pk]),
        {"note": note, "version": a.version if version is None else version},
    )


def review(client, a, decision, comment="", version=None):
    return client.post(
        reverse("assessments:assessment_review", args=[a.organisation.slug, a.pk]),
        {"decision": decision, "comment": comment, "version": a.version if version is None else version},
    )


def test_a_lead_submits_when_every_assignment_is_decided(client_for, lead, assessment, decided):
    response = submit(client_for(lead), assessment, "Look at the guardrails first.")
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_REVIEW
    assert (assessment.submitted_by, assessment.submit_note) == (lead, "Look at the guardrails first.")
    assert AuditEvent.objects.get(action="assessments.assessment.submitted").after["status"] == "in_review"


def test_submitting_with_open_assignments_is_refused_with_the_count(client_for, lead, assessment, decided, system):
    ControlAssignmentFactory(ai_system=system, control=ControlFactory(), status=AssignmentStatus.IMPLEMENTED)
    response = submit(client_for(lead), assessment)
    assert response.status_code == 200
    assert "1 assignment is not decided yet" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_a_pending_not_applicable_claim_is_not_decided(client_for, lead, member, assessment, system):
    ControlAssignmentFactory(
        ai_system=system, control=ControlFactory(), status=AssignmentStatus.NOT_APPLICABLE, na_proposed_by=member
    )
    submit(client_for(lead), assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


@pytest.fixture
def in_review(client_for, lead, assessment, decided):
    submit(client_for(lead), assessment)
    assessment.refresh_from_db()
    return assessment


def test_another_lead_approves_and_the_assessment_locks(client_for, lead2, in_review):
    response = review(client_for(lead2), in_review, "approved", "Checked a sample.")
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == AssessmentStatus.APPROVED and in_review.is_locked
    assert in_review.approved_by == lead2
    assert Review.objects.get().comment == "Checked a sample."
    body = client_for(lead2).get(in_review.get_absolute_url()).content.decode()
    assert "This assessment is locked." in body
    assert "Start a new assessment" in body  # a re-assessment is offered once it is locked


def test_the_submitter_cannot_review_their_own_assessment(client_for, lead, in_review):
    assert review(client_for(lead), in_review, "approved").status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == AssessmentStatus.IN_REVIEW


def test_requesting_changes_needs_a_comment_and_sends_it_back_to_work(client_for, lead, lead2, in_review):
    response = review(client_for(lead2), in_review, "changes_requested", "")
    assert response.status_code == 200 and "comment" in response.context["review_form"].errors
    review(client_for(lead2), in_review, "changes_requested", "Attach the red-team report.")
    in_review.refresh_from_db()
    assert in_review.status == AssessmentStatus.CHANGES_REQUESTED
    assert "Attach the red-team report." in client_for(lead).get(in_review.get_absolute_url()).content.decode()
    # Worked again, then submitted again.
    assert submit(client_for(lead), in_review).status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == AssessmentStatus.IN_REVIEW


def test_an_assignment_reopened_during_review_blocks_approval(client_for, lead2, in_review, system):
    system.control_assignments.filter(status=AssignmentStatus.VERIFIED).update(status=AssignmentStatus.IN_PROGRESS)
    response = review(client_for(lead2), in_review, "approved")
    assert response.status_code == 200
    assert "request changes instead" in str(response.context["review_form"].non_field_errors())


def test_two_reviewers_deciding_at_once_conflict(client_for, lead2, make_member, in_review):
    third = make_member("lead", "third-lead")
    review(client_for(lead2), in_review, "approved", version=in_review.version)
    response = review(client_for(third), in_review, "changes_requested", "No.", version=in_review.version)
    assert response.status_code == 200 and response.context["conflict"]
    assert "Someone else saved this while you were editing." in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == AssessmentStatus.APPROVED
    assert Review.objects.count() == 1


def test_anonymous_is_sent_to_login(client, in_review):
    client.logout()  # the fixture signed the shared client in
    assert review(client, in_review, "approved")["Location"].startswith(reverse("login"))
