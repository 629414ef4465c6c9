"""The decision workflow: who may take which transition, refused ones, conditions as follow-ups
and what they do to the system's standing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from alignment import services
from alignment.models import ReviewCondition
from alignment.services import Condition
from alignment.standing import standing
from alignment.workflow import REVIEW
from records.models import FollowUp
from records.services import record_new_version
from records.workflow import FOLLOW_UP
from tests.alignment.factories import EvaluationMetricFactory

DATA = {"title": "Hiring Screener alignment review", "method": "Audited 2,000 screening decisions."}


def take(review, actor, name, text=""):
    return REVIEW.take(actor=actor, record=review, name=name, expected_version=review.version, text=text)


@pytest.fixture
def in_review(system, author):
    return take(services.review_create(actor=author, system=system, data=DATA), author, "submit")


def decide(review, actor, decision, conditions=(), comment=""):
    return services.review_decide(
        actor=actor,
        review=review,
        decision=decision,
        expected_version=review.version,
        comment=comment,
        conditions=list(conditions),
    )


def in_days(n):
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.mark.parametrize("name", ["approve", "reject", "request_changes"])
def test_only_a_safety_lead_or_an_admin_decides_never_the_author(
    name, in_review, author, security_lead, safety_lead, admin, make_member, safety_team
):
    """The author (even as a lead), a lead of a security team, members, auditors and viewers are
    refused; a safety lead and an admin may."""
    author_lead = make_member(Role.LEAD, "author-lead", teams=[safety_team])
    own = take(services.review_create(actor=author_lead, system=in_review.ai_system, data=DATA), author_lead, "submit")
    with pytest.raises(PermissionDenied):
        take(own, author_lead, name, "Because.")
    refused = [author, security_lead, make_member(Role.AUDITOR), make_member(Role.VIEWER)]
    refused.append(make_member(Role.MEMBER, "safety-member", teams=[safety_team]))
    for person in refused:
        with pytest.raises(PermissionDenied):
            take(in_review, person, name, "Because.")
    from accounts.access import membership_of

    assert REVIEW.allows(membership_of(admin, in_review), in_review, name)
    assert take(in_review, safety_lead, name, "Because.").status != "in_review"


def test_approval_records_the_decision_and_the_next_review_from_the_cadence(in_review, safety_lead, org):
    review = decide(in_review, safety_lead, "approved")
    assert (review.status, review.decision, review.decided_by) == ("approved", "approved", safety_lead)
    assert review.next_review_due == timezone.localdate() + dt.timedelta(days=org.alignment_review_cadence_days)
    result = standing([review.ai_system_id])[review.ai_system_id]
    assert result.status == "approved" and result.passes and result.review == review


def test_a_rejection_needs_a_reason_and_fails_the_standing(in_review, safety_lead):
    with pytest.raises(ValidationError):
        take(in_review, safety_lead, "reject")
    review = decide(in_review, safety_lead, "rejected", comment="The fairness gap is too large.")
    assert (review.status, review.decision, review.next_review_due) == ("rejected", "rejected", None)
    assert not standing([review.ai_system_id])[review.ai_system_id].passes


def test_a_rejected_version_is_followed_by_a_new_draft_version(in_review, safety_lead, author):
    rejected = decide(in_review, safety_lead, "rejected", comment="Rerun with the new dataset.")
    draft = record_new_version(rejected, actor=author, expected_version=rejected.version)
    assert (draft.status, draft.record_version, draft.decision, draft.previous_id) == ("draft", 2, "", rejected.pk)


def test_nothing_is_decided_before_submission_nor_twice(system, author, safety_lead, in_review):
    draft = services.review_create(actor=author, system=system, data=DATA)
    with pytest.raises(ValidationError):
        take(draft, safety_lead, "approve")
    approved = decide(in_review, safety_lead, "approved")
    with pytest.raises(ValidationError):
        take(approved, safety_lead, "reject", "Changed my mind.")


def test_a_failing_metric_cannot_be_approved_plainly(in_review, safety_lead):
    EvaluationMetricFactory(review=in_review, value=Decimal("0.14"), comparison="le", threshold=Decimal("0.1"))
    with pytest.raises(ValidationError, match="miss their thresholds"):
        decide(in_review, safety_lead, "approved")
    review = decide(
        in_review, safety_lead, "approved_with_conditions", [Condition("Retrain on the rebalanced set", in_days(30))]
    )
    assert review.decision == "approved_with_conditions"


def test_conditions_become_follow_ups_owned_by_the_safety_side_with_their_due_dates(
    in_review, safety_lead, safety_team, team
):
    review = decide(
        in_review,
        safety_lead,
        "approved_with_conditions",
        [Condition("Rerun the parity check monthly", in_days(30)), Condition("Add a human appeal", in_days(60), team)],
    )
    conditions = list(ReviewCondition.objects.filter(review=review).select_related("follow_up__owner_team"))
    assert [(c.follow_up.title, c.follow_up.due_date, c.follow_up.owner_team) for c in conditions] == [
        ("Rerun the parity check monthly", in_days(30), safety_team),  # routed to the team owning safety
        ("Add a human appeal", in_days(60), team),
    ]
    assert all(c.follow_up.source == review and c.follow_up.kind == "action" for c in conditions)
    result = standing([review.ai_system_id])[review.ai_system_id]
    assert result.status == "approved_with_conditions" and result.passes
    assert "2 conditions open, on time" in result.reason


def test_an_approval_with_conditions_needs_one_and_a_refused_decision_leaves_no_follow_up(
    in_review, safety_lead, security_lead
):
    with pytest.raises(ValidationError):
        decide(in_review, safety_lead, "approved_with_conditions")
    with pytest.raises(ValidationError):  # a plain approval takes no conditions
        decide(in_review, safety_lead, "approved", [Condition("Something", in_days(3))])
    with pytest.raises(ValidationError):  # nor a due date in the past
        decide(in_review, safety_lead, "approved_with_conditions", [Condition("Late", in_days(-1))])
    with pytest.raises(PermissionDenied):
        decide(in_review, security_lead, "approved_with_conditions", [Condition("Something", in_days(3))])
    with pytest.raises(ValidationError, match="conditions first"):  # the shared action page cannot skip them
        take(in_review, safety_lead, "approve_with_conditions")
    assert not FollowUp.objects.exists() and not ReviewCondition.objects.exists()


def test_an_overdue_condition_fails_the_standing_until_it_is_done(in_review, safety_lead):
    review = decide(
        in_review, safety_lead, "approved_with_conditions", [Condition("Publish the fairness report", in_days(10))]
    )
    follow_up = review.conditions.get().follow_up
    later = timezone.localdate() + dt.timedelta(days=11)
    result = standing([review.ai_system_id], today=later)[review.ai_system_id]
    assert result.status == "conditions_overdue" and not result.passes
    assert "“Publish the fairness report” was due on" in result.reason
    FOLLOW_UP.take(actor=safety_lead, record=follow_up, name="close", expected_version=follow_up.version)
    result = standing([review.ai_system_id], today=later)[review.ai_system_id]
    assert result.status == "approved_with_conditions" and "all met" in result.reason


def test_an_approval_lapses_after_the_cadence(in_review, safety_lead, org):
    review = decide(in_review, safety_lead, "approved")
    later = review.next_review_due + dt.timedelta(days=1)
    assert standing([review.ai_system_id], today=later)[review.ai_system_id].status == "expired"


def test_a_new_draft_does_not_take_away_the_approved_version_but_a_later_rejection_does(in_review, safety_lead, author):
    approved = decide(in_review, safety_lead, "approved")
    draft = record_new_version(approved, actor=author, expected_version=approved.version)
    assert standing([approved.ai_system_id])[approved.ai_system_id].review == approved
    rejected = decide(take(draft, author, "submit"), safety_lead, "rejected", comment="Regressed.")
    assert standing([approved.ai_system_id])[approved.ai_system_id].review == rejected


def test_standing_takes_two_queries_for_any_number_of_systems(
    org, safety_team, author, safety_lead, django_assert_num_queries
):
    from tests.factories import AISystemFactory

    systems = []
    for i in range(3):
        system = AISystemFactory(organisation=org, owner_team=safety_team, name=f"S{i}")
        review = take(services.review_create(actor=author, system=system, data=DATA), author, "submit")
        decide(review, safety_lead, "approved_with_conditions", [Condition("Fix it", in_days(5))])
        systems.append(system.pk)
    with django_assert_num_queries(2):
        found = standing([*systems, 999999])
    assert found[999999].status == "missing"
    assert all(found[pk].passes for pk in systems)
