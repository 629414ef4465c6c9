"""The assignment and assessment lifecycles, as tables of transitions (see core.workflow).

Assignments:

    not_started → in_progress → implemented (needs current evidence) → verified
    not_started / in_progress → not_applicable (justified) → approved by a lead

`verified` needs a lead's sign-off from someone other than the implementer; a control of both
domains also needs the sign-off of its co-signing team, and becomes verified when both are in.
A verifier may send implemented work back; a lead may reopen a decided assignment.

Assessments:

    draft → in_progress (plan confirmed) → in_review → approved
                                   ↑ changes_requested ↙

Who may verify an assignment, and when? Read the `verify` row of `ASSIGNMENT` below: the rule in
`who` (assessments.rules), the states in `sources`, and the guards. The mechanism checks all of
them on the locked row, inside the transaction that writes the change.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import membership_of
from core.workflow import Step, Transition, Workflow

from . import rules
from .models import Assessment, AssessmentStatus, AssignmentStatus, ControlAssignment, Review, ReviewDecision

S = AssignmentStatus
A = AssessmentStatus


# --- Assignment guards and effects -------------------------------------------------------------


def current_evidence_count(assignment: ControlAssignment) -> int:
    """Evidence still valid today. List pages annotate it (`current_evidence`); a locked row counts it."""
    annotated = getattr(assignment, "current_evidence", None)
    if annotated is not None:
        return annotated
    return assignment.evidence.exclude(valid_until__lt=timezone.localdate()).count()


def _not_retired(a: ControlAssignment) -> str | None:
    return str(_("The assignment is retired.")) if a.retired_at is not None else None


def _has_current_evidence(a: ControlAssignment) -> str | None:
    if current_evidence_count(a) == 0:
        return str(_("Add evidence that is still valid first: a file, a link or a note."))
    return None


def _not_verified_yet(a: ControlAssignment) -> str | None:
    return str(_("Already verified by a lead; it awaits the co-signing team.")) if a.verified_by_id else None


def _cosign_outstanding(a: ControlAssignment) -> str | None:
    if a.cosigning_team_id is None or a.cosigned_by_id:
        return str(_("No co-signature is needed or it is already given."))
    return None


def _na_pending(a: ControlAssignment) -> str | None:
    return None if a.na_pending else str(_("No not-applicable claim is waiting for approval."))


def _decided(a: ControlAssignment) -> str | None:
    return None if a.is_decided else str(_("Only decided assignments are reopened."))


def _complete_if_signed(a: ControlAssignment) -> None:
    if a.verified_by_id is not None and (a.cosigning_team_id is None or a.cosigned_by_id is not None):
        a.status = S.VERIFIED


def _implement(a: ControlAssignment, step: Step) -> None:
    a.implemented_by, a.implemented_at = step.actor, step.now


def _verify(a: ControlAssignment, step: Step) -> None:
    a.verified_by, a.verified_at = step.actor, step.now
    _complete_if_signed(a)


def _cosign(a: ControlAssignment, step: Step) -> None:
    a.cosigned_by, a.cosigned_at = step.actor, step.now
    _complete_if_signed(a)


def _propose_na(a: ControlAssignment, step: Step) -> None:
    a.justification = step.text
    a.na_proposed_by, a.na_proposed_at = step.actor, step.now
    a.na_approved_by = a.na_approved_at = None


def _approve_na(a: ControlAssignment, step: Step) -> None:
    a.na_approved_by, a.na_approved_at = step.actor, step.now


def _back_to_work(a: ControlAssignment, step: Step) -> None:
    """Every sign-off and claim made on the old state is void."""
    a.verified_by = a.verified_at = a.cosigned_by = a.cosigned_at = None
    a.implemented_by = a.implemented_at = None
    a.na_proposed_by = a.na_proposed_at = a.na_approved_by = a.na_approved_at = None


_SIGN_OFFS = ("verified_by", "verified_at", "cosigned_by", "cosigned_at")
_IMPLEMENTED = ("implemented_by", "implemented_at")
_NA = ("justification", "na_proposed_by", "na_proposed_at", "na_approved_by", "na_approved_at")
_EVERYTHING = _SIGN_OFFS + _IMPLEMENTED + _NA[1:]

_WORKERS = _("Only the owner team's members and leads do this.")

ASSIGNMENT: Workflow[ControlAssignment] = Workflow(
    model=ControlAssignment,
    action_prefix="assessments.assignment",
    membership_of=membership_of,
    always=(_not_retired,),
    transitions=[
        Transition(
            "start",
            _("Start work"),
            frozenset({S.NOT_STARTED}),
            S.IN_PROGRESS,
            who=rules.can_work_on_assignment,
            refusal=_WORKERS,
            done=_("Work on %(ref)s started."),
        ),
        Transition(
            "implement",
            _("Mark implemented"),
            frozenset({S.NOT_STARTED, S.IN_PROGRESS}),
            S.IMPLEMENTED,
            who=rules.can_work_on_assignment,
            refusal=_WORKERS,
            guards=(_has_current_evidence,),
            effect=_implement,
            changes=_IMPLEMENTED,
            done=_("%(ref)s marked implemented; it now waits for verification by someone else."),
        ),
        Transition(
            "verify",
            _("Verify"),
            frozenset({S.IMPLEMENTED}),
            None,
            who=rules.can_verify_assignment,
            refusal=_("A lead who neither implemented nor co-signed this control verifies it."),
            guards=(_not_verified_yet,),
            effect=_verify,
            changes=_SIGN_OFFS,
            done=_("%(ref)s verified."),
        ),
        Transition(
            "cosign",
            _("Co-sign"),
            frozenset({S.IMPLEMENTED}),
            None,
            who=rules.can_cosign_assignment,
            refusal=_("A member of the co-signing team who neither implemented nor verified it co-signs."),
            guards=(_cosign_outstanding,),
            effect=_cosign,
            changes=_SIGN_OFFS,
            done=_("%(ref)s co-signed."),
        ),
        Transition(
            "send_back",
            _("Send back"),
            frozenset({S.IMPLEMENTED}),
            S.IN_PROGRESS,
            who=rules.can_sign_assignment,
            refusal=_("Only those who may sign it off send it back."),
            effect=_back_to_work,
            changes=_EVERYTHING,
            needs_text=True,
            text_label=_("What is missing?"),
            done=_("%(ref)s sent back to the owner team with your comment."),
        ),
        Transition(
            "propose_na",
            _("Propose not applicable"),
            frozenset({S.NOT_STARTED, S.IN_PROGRESS}),
            S.NOT_APPLICABLE,
            who=rules.can_work_on_assignment,
            refusal=_WORKERS,
            effect=_propose_na,
            changes=_NA,
            needs_text=True,
            text_label=_("Why does it not apply to this system?"),
            done=_("%(ref)s proposed as not applicable; another lead decides."),
        ),
        Transition(
            "approve_na",
            _("Approve not applicable"),
            frozenset({S.NOT_APPLICABLE}),
            S.NOT_APPLICABLE,
            who=rules.can_decide_not_applicable,
            refusal=_("A lead other than the one who proposed it decides a not-applicable claim."),
            guards=(_na_pending,),
            effect=_approve_na,
            changes=_NA,
            done=_("%(ref)s approved as not applicable; it leaves the readiness count."),
        ),
        Transition(
            "reject_na",
            _("Reject not applicable"),
            frozenset({S.NOT_APPLICABLE}),
            S.IN_PROGRESS,
            who=rules.can_decide_not_applicable,
            refusal=_("A lead other than the one who proposed it decides a not-applicable claim."),
            guards=(_na_pending,),
            effect=_back_to_work,
            changes=_EVERYTHING,
            needs_text=True,
            text_label=_("Why does it apply after all?"),
            done=_("Not-applicable claim on %(ref)s rejected; it is back in progress."),
        ),
        Transition(
            "reopen",
            _("Reopen"),
            frozenset({S.VERIFIED, S.NOT_APPLICABLE}),
            S.IN_PROGRESS,
            who=rules.can_reopen_assignment,
            refusal=_("Only leads reopen decided work."),
            guards=(_decided,),
            effect=_back_to_work,
            changes=_EVERYTHING,
            needs_text=True,
            text_label=_("Why is it reopened?"),
            done=_("%(ref)s reopened; it is back in progress."),
        ),
    ],
)

# Transitions that need no text can be taken inline from a list and in bulk.
QUICK_ACTIONS = [t.name for t in ASSIGNMENT.transitions if not t.needs_text]


# --- Assessments -------------------------------------------------------------------------------


def undecided_count(assessment: Assessment) -> int:
    return ControlAssignment.objects.filter(ai_system_id=assessment.ai_system_id).active().undecided().count()


def _all_decided(assessment: Assessment) -> str | None:
    from django.utils.translation import ngettext

    open_count = undecided_count(assessment)
    if not open_count:
        return None
    return ngettext(
        "%(n)s assignment is not decided yet: it must be verified or approved as not applicable.",
        "%(n)s assignments are not decided yet: each must be verified or approved as not applicable.",
        open_count,
    ) % {"n": open_count}


def _still_all_decided(assessment: Assessment) -> str | None:
    if undecided_count(assessment):
        return str(_("Assignments were reopened since submission; request changes instead."))
    return None


def _confirm_plan(a: Assessment, step: Step) -> None:
    a.plan_confirmed_by, a.plan_confirmed_at = step.actor, step.now


def _submit(a: Assessment, step: Step) -> None:
    a.submitted_by, a.submitted_at, a.submit_note = step.actor, step.now, step.text


def _review(decision: str) -> Any:
    def effect(a: Assessment, step: Step) -> None:
        Review.objects.create(assessment=a, reviewer=step.actor, decision=decision, comment=step.text)
        if decision == ReviewDecision.APPROVED:
            a.approved_by, a.approved_at = step.actor, step.now

    return effect


_ANOTHER_LEAD = _("Another lead reviews: not the one who submitted this assessment.")

ASSESSMENT: Workflow[Assessment] = Workflow(
    model=Assessment,
    action_prefix="assessments.assessment",
    membership_of=membership_of,
    transitions=[
        Transition(
            "plan_confirmed",
            _("Confirm the plan"),
            frozenset({A.DRAFT}),
            A.IN_PROGRESS,
            who=rules.can_lead_assessment,
            refusal=_("Only leads confirm the control plan."),
            effect=_confirm_plan,
            changes=("plan_confirmed_by", "plan_confirmed_at"),
        ),
        Transition(
            "submitted",
            _("Submit for review"),
            frozenset({A.IN_PROGRESS, A.CHANGES_REQUESTED}),
            A.IN_REVIEW,
            who=rules.can_lead_assessment,
            refusal=_("Only leads submit assessments for review."),
            guards=(_all_decided,),
            effect=_submit,
            changes=("submitted_by", "submitted_at", "submit_note"),
        ),
        Transition(
            "approved",
            _("Approve"),
            frozenset({A.IN_REVIEW}),
            A.APPROVED,
            who=rules.can_review_assessment,
            refusal=_ANOTHER_LEAD,
            guards=(_still_all_decided,),
            effect=_review(ReviewDecision.APPROVED),
            changes=("approved_by", "approved_at"),
        ),
        Transition(
            "changes_requested",
            _("Request changes"),
            frozenset({A.IN_REVIEW}),
            A.CHANGES_REQUESTED,
            who=rules.can_review_assessment,
            refusal=_ANOTHER_LEAD,
            effect=_review(ReviewDecision.CHANGES_REQUESTED),
            needs_text=True,
            text_label=_("Say what has to change."),
        ),
    ],
)
