"""Alignment review writes: the record through the shared services (records.services), its
metrics, findings and attachments through the one audited write path while it is a draft, and the
decision with its conditions in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_of
from accounts.models import Team
from assessments.evidence import ValidatedFile, audit_summary, store
from audit.services import audited_create, audited_state, audited_update, lock, record
from records.rules import can_edit_record
from records.services import follow_up_raise, record_create, record_update

from .models import (
    AlignmentFinding,
    AlignmentReview,
    Decision,
    EvaluationMetric,
    ReviewAttachment,
    ReviewCondition,
    area_labels,
    areas_from_profile,
    required_areas,
)
from .workflow import DECISIONS, REVIEW


def _check_scope(system, areas: list[str]) -> None:
    missing = [a for a in required_areas(system) if a not in areas]
    if missing:
        raise ValidationError(
            {"scope_areas": _("The system's profile requires: %(areas)s.") % {"areas": ", ".join(area_labels(missing))}}
        )


def review_create(*, actor, system, data: dict[str, Any]) -> AlignmentReview:
    data = {"scope_areas": areas_from_profile(system), **data}
    _check_scope(system, data["scope_areas"])
    return record_create(AlignmentReview, actor=actor, system=system, data=data)


def review_update(*, actor, review: AlignmentReview, expected_version: int, data: dict) -> AlignmentReview:
    if "scope_areas" in data:
        _check_scope(review.ai_system, data["scope_areas"])
    return record_update(review, actor=actor, expected_version=expected_version, data=data)


# --- Metrics and findings: children of a draft ------------------------------------------------


def _editable(actor, review: AlignmentReview) -> AlignmentReview:
    """Lock the review so its state cannot change under the child being written."""
    locked = lock(review)
    if not locked.is_editable:
        raise ValidationError(_("Only drafts are edited; start a new version of a decided review."))
    if not can_edit_record(membership_of(actor, locked), locked):
        raise PermissionDenied(_("Leads and the system's owner team edit alignment reviews."))
    return locked


def _action(model: type[models.Model], verb: str) -> str:
    return f"alignment.{model._meta.model_name}.{verb}"


def child_add(model: type[EvaluationMetric] | type[AlignmentFinding], *, actor, review: AlignmentReview, data: dict):
    with transaction.atomic():
        locked = _editable(actor, review)
        return audited_create(
            model,
            actor=actor,
            action=_action(model, "created"),
            data={"organisation": locked.organisation, "review": locked, **data},
        )


def child_update(child: EvaluationMetric | AlignmentFinding, *, actor, expected_version: int, data: dict):
    with transaction.atomic():
        _editable(actor, child.review)
        return audited_update(
            child, actor=actor, action=_action(type(child), "updated"), expected_version=expected_version, changes=data
        )


def child_remove(child: EvaluationMetric | AlignmentFinding, *, actor) -> None:
    """Drafts drop metrics and findings; the event keeps what was removed."""
    with transaction.atomic():
        _editable(actor, child.review)
        before = audited_state(child)
        action = _action(type(child), "removed")
        record(organisation=child.organisation, actor=actor, action=action, obj=child, before=before)
        child.delete()


def attachment_add(
    *,
    actor,
    review: AlignmentReview,
    upload: ValidatedFile | None = None,
    link: str = "",
    note: str = "",
    valid_until: dt.date | None = None,
) -> ReviewAttachment:
    """Attach evaluation evidence (a file checked like control evidence, a link or a note)."""
    with transaction.atomic():
        locked = _editable(actor, review)
        attachment = ReviewAttachment(
            organisation=locked.organisation, review=locked, uploaded_by=actor, valid_until=valid_until
        )

        def recorded(row: ReviewAttachment) -> None:
            record(
                organisation=locked.organisation,
                actor=actor,
                action="alignment.attachment.added",
                obj=locked,
                after={"attachment": row.pk, **audit_summary(row)},
            )

        return store(attachment, upload=upload, link=link, note=note, recorded=recorded)


# --- The decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    title: str
    due_date: dt.date
    owner_team: Team | None = None
    assignee: Any = None


def review_decide(
    *,
    actor,
    review: AlignmentReview,
    decision: str,
    expected_version: int,
    comment: str = "",
    conditions: list[Condition] | tuple[Condition, ...] = (),
) -> AlignmentReview:
    """Decide a review in review. With conditions, each becomes a follow-up (owned work with its
    due date, routed to the safety side unless a team is named) linked to this version, in the
    same transaction as the decision: a refused decision leaves no follow-up behind."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose a decision.")})
    if decision == Decision.APPROVED_WITH_CONDITIONS and not conditions:
        raise ValidationError(_("An approval with conditions needs at least one condition."))
    if decision != Decision.APPROVED_WITH_CONDITIONS and conditions:
        raise ValidationError(_("Conditions go with an approval with conditions; choose that decision."))
    today = timezone.localdate()
    if any(c.due_date < today for c in conditions):
        raise ValidationError(_("A condition's due date cannot be in the past."))
    with transaction.atomic():
        for condition in conditions:
            follow_up = follow_up_raise(
                review,
                actor=actor,
                domain="safety",
                practice="alignment_review",
                title=condition.title,
                owner_team=condition.owner_team,
                assignee=condition.assignee,
                due_date=condition.due_date,
            )
            audited_create(
                ReviewCondition,
                actor=actor,
                action="alignment.condition.created",
                data={"organisation": review.organisation, "review": review, "follow_up": follow_up},
            )
        name = DECISIONS[Decision(decision)]
        return REVIEW.take(actor=actor, record=review, name=name, expected_version=expected_version, text=comment)


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class AreaControls:
    area: str
    label: str
    required_because: list[str]
    controls: list  # library controls that inform the area and apply to the system, each with `.assignment`


def _informs(spec, control) -> bool:
    return control.practice == spec.practice or bool(set(spec.concerns) & set(control.concerns or ()))


def controls_by_area(review: AlignmentReview) -> list[AreaControls]:
    """For each area in scope: the library controls that inform it (by concern; CBRNE: the
    frontier-safety set) and apply to the system, each with the system's active assignment of it
    or None. Two queries."""
    from assessments.models import ControlAssignment
    from governance.models import Control

    from .models import AREAS

    system = review.ai_system
    controls = list(
        Control.objects.for_org(review.organisation)
        .active()
        .only("pk", "ref", "title", "practice", "concerns", "applies_when", "organisation_id")
        .order_by("ref")
    )
    assignments = {
        a.control_id: a
        for a in ControlAssignment.objects.filter(ai_system=system).active().only("pk", "control_id", "status")
    }
    required = required_areas(system)
    found = []
    for area, label in zip(review.scope_areas, area_labels(review.scope_areas), strict=True):
        spec = AREAS.get(area)
        if spec is None:
            continue
        matching = [c for c in controls if _informs(spec, c) and c.is_applicable_to(system)]
        for control in matching:
            control.assignment = assignments.get(control.pk)
        found.append(AreaControls(area, label, required.get(area, []), matching))
    return found
