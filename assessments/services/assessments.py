"""The assessment workflow: start, answer, confirm the control plan, submit, review.

Each service runs in one transaction with its audit events. Answers carry their own version,
so saving a stale answer conflicts instead of overwriting; status changes carry the
assessment's version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_of
from audit.services import audited_retire, audited_state, lock, record, record_many
from core.choices import Domain
from governance.models import AISystem
from governance.profile import profile_problems
from governance.services.inventory import ai_system_update

from .. import questionnaire as q
from .. import rules
from ..models import (
    Assessment,
    AssessmentAnswer,
    AssessmentStatus,
    ControlAssignment,
    ReviewDecision,
)
from ..plan import Plan, compute_plan
from ..workflow import ASSESSMENT


def answer_rows(assessment: Assessment) -> dict[str, AssessmentAnswer]:
    return {a.question: a for a in assessment.answers.select_related("answered_by")}


def answer_values(assessment: Assessment, rows: dict[str, AssessmentAnswer] | None = None) -> dict[str, Any]:
    rows = answer_rows(assessment) if rows is None else rows
    return {key: row.value for key, row in rows.items() if key in q.QUESTIONS}


def confirmed_profile(system: AISystem, values: dict[str, Any]) -> dict[str, Any]:
    """The system's profile with the answered profile questions applied."""
    return {**system.profile(), **q.profile_from(values)}


def _record(assessment: Assessment, actor, action: str, before: dict, after: dict) -> None:
    record(
        organisation=assessment.organisation,
        actor=actor,
        action=f"assessments.assessment.{action}",
        obj=assessment,
        before=before,
        after=after,
    )


# --- Start ------------------------------------------------------------------------------------


def assessment_start(*, actor, system: AISystem, due_date: dt.date | None) -> Assessment:
    """Open a new assessment. A re-assessment starts from the previous answers, with the profile
    questions set to the system's current profile (which may have changed since)."""
    if system.is_retired:
        raise ValidationError(_("A retired system is not assessed."))
    previous = system.assessments.filter(status=AssessmentStatus.APPROVED).order_by("-approved_at").first()
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                organisation=system.organisation,
                ai_system=system,
                previous=previous,
                due_date=due_date,
                started_by=actor,
            )
            if previous is not None:
                values = {**answer_values(previous), **{k: system.profile()[k] for k in q.PROFILE_QUESTIONS}}
                now = timezone.now()
                AssessmentAnswer.objects.bulk_create(
                    AssessmentAnswer(assessment=assessment, question=k, value=v, answered_by=actor, answered_at=now)
                    for k, v in values.items()
                )
            _record(assessment, actor, "started", {}, audited_state(assessment))
    except IntegrityError:
        raise ValidationError(_("This system already has an open assessment; continue that one.")) from None
    return assessment


# --- Answers ----------------------------------------------------------------------------------


@dataclass
class AnswerConflict:
    question: q.Question
    yours: Any
    theirs: Any
    by: Any
    at: dt.datetime

    @property
    def yours_display(self) -> str:
        return self.question.display(self.yours)

    @property
    def theirs_display(self) -> str:
        return self.question.display(self.theirs)


@dataclass
class SaveResult:
    saved: list[str] = field(default_factory=list)
    conflicts: list[AnswerConflict] = field(default_factory=list)
    # Answers someone else changed that this user had not touched: theirs stand, and the page
    # shows them (with `current`) so the next save starts from them.
    refreshed: list[str] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)  # every question's version now
    current: dict[str, Any] = field(default_factory=dict)  # every question's value now


def answers_save(
    *,
    actor,
    assessment: Assessment,
    values: dict[str, Any],
    versions: dict[str, int],
    originals: dict[str, Any] | None = None,
) -> SaveResult:
    """Save answers, each from the version (0: unanswered) and value the user's page showed.

    A value the user changed is saved if nobody changed that answer meanwhile; if someone did,
    and to something else, it is a conflict and theirs stays. A value the user did not change
    (it equals `originals`) never overwrites someone else's newer answer; if the answer is not
    stored yet (a profile answer pre-filled from the system), saving it confirms it. Without
    `originals` every value counts as the user's change.
    """
    result = SaveResult()
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not assessment.is_draft:
            raise ValidationError(_("The questionnaire is closed: the control plan has been confirmed."))
        rows = answer_rows(assessment)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        now = timezone.now()
        for key, value in values.items():
            question, row, seen = q.QUESTIONS[key], rows.get(key), versions.get(key, 0)
            changed_here = originals is None or not question.same(value, originals.get(key))
            if row is None:
                # No race to lose here: the assessment row is locked, so saves queue up.
                if seen == 0 and question.is_answered(value):
                    row = AssessmentAnswer.objects.create(
                        assessment=assessment, question=key, value=value, answered_by=actor, answered_at=now
                    )
                    before[key], after[key] = None, value
                    result.saved.append(key)
            elif question.same(row.value, value):
                pass
            elif row.version != seen:
                if changed_here:
                    result.conflicts.append(
                        AnswerConflict(question, value, row.value, row.answered_by, row.answered_at)
                    )
                else:
                    result.refreshed.append(key)
            elif changed_here:
                old = row.value
                # The assessment row is locked, so the answer's version cannot move under us; the
                # change is audited below, in one event on the assessment for the whole save.
                row.value, row.answered_by, row.answered_at, row.version = value, actor, now, seen + 1
                row.save(update_fields=["value", "answered_by", "answered_at", "version"])
                before[key], after[key] = old, value
                result.saved.append(key)
            if row is not None:
                result.versions[key], result.current[key] = row.version, row.value
        if after:
            _record(assessment, actor, "answers_changed", before, after)
    return result


# --- Completion and the control plan ----------------------------------------------------------


def completion_problems(assessment: Assessment, values: dict[str, Any]) -> list[q.Problem]:
    """What blocks completing the questionnaire: unanswered required questions, answers that
    contradict each other, and a confirmed profile the inventory would refuse."""
    found = q.blockers(values)
    if not found:
        found += _profile_problems(assessment.ai_system, values)
    return found


def _profile_problems(system: AISystem, values: dict[str, Any]) -> list[q.Problem]:
    """The inventory's consistency rules over the confirmed profile, so both places agree."""
    found = profile_problems(confirmed_profile(system, values))
    return [q.Problem(q.QUESTIONS[name], " ".join(messages)) for name, messages in found.items() if name in q.QUESTIONS]


def plan_for(assessment: Assessment, values: dict[str, Any] | None = None) -> Plan:
    values = answer_values(assessment) if values is None else values
    return compute_plan(assessment, confirmed_profile(assessment.ai_system, values))


def plan_confirm(
    *,
    actor,
    assessment: Assessment,
    expected_version: int,
    system_version: int,
    owners: dict[int, tuple[Any, Any]],
    due_date: dt.date | None,
) -> Plan:
    """Write the confirmed profile to the system, then create the new assignments (routed, or
    with the owners the lead chose) and retire those that no longer apply. All or nothing."""
    with transaction.atomic():
        assessment = lock(assessment, expected_version=expected_version)
        if not rules.can_lead_assessment(membership_of(actor, assessment), assessment):
            raise PermissionDenied(str(ASSESSMENT["plan_confirmed"].refusal))
        if not assessment.is_draft:
            raise ValidationError(_("The plan of this assessment has been confirmed already."))
        values = answer_values(assessment)
        if completion_problems(assessment, values):
            raise ValidationError(_("The questionnaire is not complete."))
        system = assessment.ai_system
        changes = {k: v for k, v in q.profile_from(values).items() if getattr(system, k) != v}
        if changes:
            system = ai_system_update(actor=actor, system=system, expected_version=system_version, data=changes)
            assessment.ai_system = system
        plan = compute_plan(assessment, confirmed_profile(system, values))
        ownerless = [i for i in plan.unrouted if not owners.get(i.control.pk, (None, None))[0]]
        if ownerless:
            raise ValidationError(
                _("No team owns %(refs)s: choose an owner, or add a team or an ownership rule first.")
                % {"refs": ", ".join(i.control.ref for i in ownerless)}
            )
        created = _create_assignments(actor, assessment, plan, owners, due_date)
        for retirement in plan.retire:
            audited_retire(
                retirement.assignment,
                actor=actor,
                action="assessments.assignment.retired",
                expected_version=retirement.assignment.version,
                reason=retirement.reason,
                changes={"retired_by_assessment": assessment},
            )
        ASSESSMENT.take(
            actor=actor,
            record=assessment,
            name="plan_confirmed",
            expected_version=expected_version,
            extra={"created": len(created), "kept": len(plan.kept), "retired": len(plan.retire)},
        )
    return plan


def _create_assignments(actor, assessment: Assessment, plan: Plan, owners, due_date) -> list[ControlAssignment]:
    assignments = []
    for item in plan.new:
        team, cosigner = owners.get(item.control.pk, (item.route.team, item.route.cosigning_team))
        if item.control.domain != Domain.BOTH:
            cosigner = None
        elif cosigner is None or cosigner == team:
            raise ValidationError(
                _("%(ref)s is both security and safety: choose a co-signing team other than its owner.")
                % {"ref": item.control.ref}
            )
        assignments.append(
            ControlAssignment(
                organisation=assessment.organisation,
                ai_system=assessment.ai_system,
                control=item.control,
                assessment=assessment,
                owner_team=team,
                cosigning_team=cosigner,
                due_date=due_date,
            )
        )
    ControlAssignment.objects.bulk_create(assignments)
    record_many(
        organisation=assessment.organisation,
        actor=actor,
        action="assessments.assignment.created",
        changes=[(a, {k: v for k, v in audited_state(a).items() if v not in (None, "")}) for a in assignments],
    )
    return assignments


# --- Review -----------------------------------------------------------------------------------


def assessment_submit(*, actor, assessment: Assessment, expected_version: int, note: str = "") -> Assessment:
    """Send the assessment to review; every active assignment of the system must be decided."""
    return ASSESSMENT.take(
        actor=actor, record=assessment, name="submitted", expected_version=expected_version, text=note
    )


def assessment_review(
    *, actor, assessment: Assessment, expected_version: int, decision: str, comment: str
) -> Assessment:
    """Approve (the assessment locks) or request changes (it goes back to work, with the comment)."""
    name = "approved" if decision == ReviewDecision.APPROVED else "changes_requested"
    return ASSESSMENT.take(actor=actor, record=assessment, name=name, expected_version=expected_version, text=comment)
