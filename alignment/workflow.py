"""The alignment review's lifecycle: the shared governed-record table (records.workflow) with the
approval split into the three decisions a safety lead (or an admin) takes, never the author:

    draft → in_review → approved (decision "approved" or "approved_with_conditions")
                      → rejected
                      → changes_requested → draft

`approve_with_conditions` needs the conditions recorded first (services.review_decide raises them
as follow-ups and takes the transition in one transaction); a plain `approve` needs every metric
to pass. Submitting and deciding need every scope area the system's profile requires.
"""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import Step, Transition, Workflow
from records.kinds import RecordKind, register
from records.workflow import record_workflow

from .models import AlignmentReview, Decision, EvaluationMetric, ReviewStatus, area_labels
from .rules import safety_lead

PREFIX = "alignment.alignmentreview"
DECISION_FIELDS = ("decision", "decided_by", "decided_at")

_STANDARD = record_workflow(
    AlignmentReview,
    PREFIX,
    approver=safety_lead,
    approver_label=gettext_lazy(
        "A lead of a safety team, or an admin, other than the author decides an alignment review."
    ),
)
_APPROVE = _STANDARD["approve"]


def _scope_complete(review: AlignmentReview) -> str | None:
    missing = review.missing_required_areas()
    if not missing:
        return None
    areas = [f"{label} ({', '.join(missing[a])})" for a, label in zip(missing, area_labels(missing), strict=True)]
    return _("The system's profile requires these scope areas: %(areas)s.") % {"areas": "; ".join(areas)}


def _metrics_pass(review: AlignmentReview) -> str | None:
    failing = [m.name for m in review.metrics.all() if not m.passes]
    if not failing:
        return None
    return _("%(names)s miss their thresholds: approve with conditions, or reject.") % {"names": ", ".join(failing)}


def _has_conditions(review: AlignmentReview) -> str | None:
    if review.conditions.exists():
        return None
    return _("Record the conditions first, on the decision page: each becomes a follow-up with a due date.")


def _decided(decision: str):
    def effect(review: AlignmentReview, step: Step) -> None:
        assert _APPROVE.effect is not None  # the shared approval sets approver, comment, next review
        _APPROVE.effect(review, step)
        review.decision, review.decided_by, review.decided_at = decision, step.actor, step.now

    return effect


def _reject(review: AlignmentReview, step: Step) -> None:
    review.decision, review.decided_by, review.decided_at = Decision.REJECTED, step.actor, step.now
    review.review_comment = step.text


REVIEW: Workflow[AlignmentReview] = Workflow(
    model=AlignmentReview,
    action_prefix=PREFIX,
    membership_of=_STANDARD.membership_of,
    transitions=[
        replace(_STANDARD["submit"], guards=(_scope_complete,)),
        replace(
            _APPROVE,
            guards=(_scope_complete, _metrics_pass),
            effect=_decided(Decision.APPROVED),
            changes=(*_APPROVE.changes, *DECISION_FIELDS),
        ),
        replace(
            _APPROVE,
            name="approve_with_conditions",
            label=gettext_lazy("Approve with conditions"),
            guards=(_scope_complete, _has_conditions),
            effect=_decided(Decision.APPROVED_WITH_CONDITIONS),
            changes=(*_APPROVE.changes, *DECISION_FIELDS),
            done=gettext_lazy("Approved with conditions; each condition is a follow-up with its due date."),
        ),
        Transition(
            "reject",
            gettext_lazy("Reject"),
            frozenset({ReviewStatus.IN_REVIEW}),
            ReviewStatus.REJECTED,
            who=_APPROVE.who,
            refusal=_APPROVE.refusal,
            effect=_reject,
            changes=(*DECISION_FIELDS, "review_comment"),
            needs_text=True,
            text_label=gettext_lazy("Say why it is rejected."),
            done=gettext_lazy("Rejected. A new version can be started once the system has changed."),
        ),
        _STANDARD["request_changes"],
        _STANDARD["resume"],
    ],
)

# The decisions a reviewer picks from on the decision page, and the transition each one takes.
DECISIONS = {
    Decision.APPROVED: "approve",
    Decision.APPROVED_WITH_CONDITIONS: "approve_with_conditions",
    Decision.REJECTED: "reject",
}


def _queryset():
    return AlignmentReview.objects.select_related(
        "ai_system__owner_team", "author", "approved_by", "submitted_by", "decided_by", "organisation"
    ).prefetch_related(Prefetch("metrics", queryset=EvaluationMetric.objects.order_by("pk")))


KIND = register(
    RecordKind(
        key="review",
        namespace="alignment",
        model=AlignmentReview,
        workflow=REVIEW,
        label=gettext_lazy("alignment review"),
        queryset=_queryset,
        detail_template="alignment/review_detail.html",
        domain_of=lambda review: "safety",
        practice="alignment_review",
        tab="alignment",
    )
)
