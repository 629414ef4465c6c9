"""Work on control assignments: lifecycle actions, reassignment, bulk changes, evidence, comments.

Views ask the rules (assessments/rules.py) only to show what a member can do; these services
decide, on the locked row inside the transaction that changes it: the version the user saw, who
may act and what must hold (assessments/workflow.py), and the audit event in that same
transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audited_update, record
from core.concurrency import EditConflict

from ..evidence import ValidatedFile, audit_summary, store
from ..models import Comment, ControlAssignment, Evidence
from ..workflow import ASSIGNMENT


def assignment_act(
    *, actor, assignment: ControlAssignment, action: str, expected_version: int, text: str = ""
) -> ControlAssignment:
    """Take one lifecycle transition (the table in assessments.workflow). Raises EditConflict when
    the assignment changed since the user saw it, PermissionDenied when this member may not take
    it, ValidationError when its state does not allow it; all judged on the locked row."""
    with transaction.atomic():
        a = ASSIGNMENT.take(actor=actor, record=assignment, name=action, expected_version=expected_version, text=text)
        text = text.strip()
        if text and action != "propose_na":  # the justification is on the assignment itself
            _comment(actor, a, f"{ASSIGNMENT[action].label}: {text}")
    return a


def assignment_update(*, actor, assignment: ControlAssignment, expected_version: int, data: dict) -> ControlAssignment:
    """Change assignee, due date and (leads, through their form) owner and co-signing team."""

    def changes(a: ControlAssignment) -> dict:
        if a.is_retired:
            raise ValidationError(_("A retired assignment cannot be changed."))
        for name, value in data.items():
            setattr(a, name, value)
        if {"owner_team", "cosigning_team", "assignee"} & set(data):
            _check_teams(a, moved="owner_team" in data)
        return {name: getattr(a, name) for name in sorted({*data, "assignee", "cosigning_team"})}

    with transaction.atomic():
        return audited_update(
            assignment,
            actor=actor,
            action="assessments.assignment.updated",
            expected_version=expected_version,
            changes=changes,
        )


def _check_teams(a: ControlAssignment, *, moved: bool) -> None:
    """Co-signing only for controls of both domains, by another team; the assignee in the owner
    team (an assignee left behind by a move to another team is cleared)."""
    if a.needs_cosign:
        if a.cosigning_team_id is None or a.cosigning_team_id == a.owner_team_id:
            raise ValidationError({"cosigning_team": _("Choose a co-signing team other than the owner team.")})
    elif a.cosigning_team_id is not None:
        a.cosigning_team = None
    if a.assignee_id and not a.owner_team.members.filter(pk=a.assignee_id).exists():
        if not moved:
            raise ValidationError({"assignee": _("The assignee must be a member of the owner team.")})
        a.assignee = None


@dataclass
class BulkResult:
    changed: list[ControlAssignment] = field(default_factory=list)
    skipped: list[tuple[ControlAssignment, str]] = field(default_factory=list)


def assignments_bulk(
    *,
    actor,
    items: list[tuple[ControlAssignment, int]],
    action: str | None = None,
    due_date: dt.date | None = None,
    assignee=None,
) -> BulkResult:
    """Apply an action, a due date and/or an assignee to several assignments, each at the version
    the user saw. Each one changes or is skipped with its reason (an assignee must be in the
    assignment's owner team; the member may not take the action on it now)."""
    result = BulkResult()
    data = {k: v for k, v in (("due_date", due_date), ("assignee", assignee)) if v}
    with transaction.atomic():
        for assignment, version in items:
            try:
                with transaction.atomic():  # a skipped one leaves no half change behind
                    if action:
                        assignment = assignment_act(
                            actor=actor, assignment=assignment, action=action, expected_version=version
                        )
                        version = assignment.version
                    if data:
                        assignment = assignment_update(
                            actor=actor, assignment=assignment, expected_version=version, data=data
                        )
            except EditConflict:
                result.skipped.append((assignment, _("changed by someone else since you loaded the page")))
            except ValidationError as exc:
                result.skipped.append((assignment, " ".join(exc.messages)))
            except PermissionDenied as exc:
                result.skipped.append((assignment, str(exc)))
            else:
                result.changed.append(assignment)
    return result


# --- Evidence and comments --------------------------------------------------------------------


def evidence_add(
    *,
    actor,
    assignment: ControlAssignment,
    upload: ValidatedFile | None = None,
    link: str = "",
    note: str = "",
    valid_until: dt.date | None = None,
) -> Evidence:
    """Attach one piece of evidence: a validated file, a link or a note (exactly one)."""
    if sum(bool(x) for x in (upload, link, note)) != 1:
        raise ValidationError(_("Give a file, a link or a note."))
    if assignment.is_retired:
        raise ValidationError(_("A retired assignment takes no more evidence."))
    evidence = Evidence(
        organisation_id=assignment.organisation_id,
        assignment=assignment,
        uploaded_by=actor,
        valid_until=valid_until,
    )
    return store(
        evidence, upload=upload, link=link, note=note, recorded=lambda e: _evidence_recorded(actor, assignment, e)
    )


def evidence_from_form(*, actor, assignment: ControlAssignment, form) -> Evidence:
    """Attach what a valid EvidenceForm holds (the page and the API share the form and this call)."""
    data = form.cleaned_data
    return evidence_add(
        actor=actor,
        assignment=assignment,
        upload=data["file"],
        link=data["link"],
        note=data["note"],
        valid_until=data["valid_until"],
    )


def _evidence_recorded(actor, assignment: ControlAssignment, evidence: Evidence) -> None:
    record(
        organisation=assignment.organisation,
        actor=actor,
        action="assessments.evidence.added",
        obj=assignment,
        after={"evidence": evidence.pk, **audit_summary(evidence)},
    )


def comment_add(*, actor, assignment: ControlAssignment, body: str) -> Comment:
    with transaction.atomic():
        return _comment(actor, assignment, body)


def _comment(actor, assignment: ControlAssignment, body: str) -> Comment:
    comment = Comment.objects.create(
        organisation_id=assignment.organisation_id, assignment=assignment, author=actor, body=body
    )
    record(
        organisation=assignment.organisation,
        actor=actor,
        action="assessments.comment.added",
        obj=assignment,
        after={"comment": comment.pk, "body": body[:500]},
    )
    return comment
