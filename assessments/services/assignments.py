"""Work on control assignments: lifecycle actions, reassignment, bulk changes, evidence, comments.

Views check who may act (accounts/access.py) before calling; these services check that the
action fits the assignment's state and version inside the transaction that changes it, and
write the audit event in that same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audited_state, record, save_audited
from core.concurrency import EditConflict

from ..evidence import ValidatedFile
from ..models import AssignmentStatus, Comment, ControlAssignment, Evidence, EvidenceKind
from ..workflow import ACTIONS

# Fields each action may change (besides status): what save_versioned writes.
_SIGN_OFF_FIELDS = ["verified_by", "verified_at", "cosigned_by", "cosigned_at"]
_NA_FIELDS = ["justification", "na_proposed_by", "na_proposed_at", "na_approved_by", "na_approved_at"]
_IMPLEMENTED_FIELDS = ["implemented_by", "implemented_at"]


def _locked(assignment: ControlAssignment, expected_version: int) -> ControlAssignment:
    """The row, locked, at the version the user saw; EditConflict if it moved on."""
    current = ControlAssignment.objects.select_for_update(of=("self",)).select_related("control").get(pk=assignment.pk)
    if current.version != expected_version:
        raise EditConflict(current, expected_version)
    # The system and the organisation do not change under us: reuse the caller's copies
    # rather than selecting their many columns again on every action.
    for name in ("ai_system", "organisation"):
        if ControlAssignment._meta.get_field(name).is_cached(assignment):
            setattr(current, name, getattr(assignment, name))
    return current


def current_evidence_count(assignment: ControlAssignment, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return assignment.evidence.exclude(valid_until__lt=today).count()


def _apply(assignment: ControlAssignment, action: str, *, actor, text: str, now) -> list[str]:
    """Change the assignment's fields for `action`; return the names changed besides status."""
    a = assignment
    if action == "start":
        a.status = AssignmentStatus.IN_PROGRESS
        return []
    if action == "implement":
        a.status, a.implemented_by, a.implemented_at = AssignmentStatus.IMPLEMENTED, actor, now
        return _IMPLEMENTED_FIELDS
    if action in ("verify", "cosign"):
        if action == "verify":
            a.verified_by, a.verified_at = actor, now
        else:
            a.cosigned_by, a.cosigned_at = actor, now
        complete = a.verified_by_id is not None and (a.cosigning_team_id is None or a.cosigned_by_id is not None)
        if complete:
            a.status = AssignmentStatus.VERIFIED
        return _SIGN_OFF_FIELDS
    if action == "propose_na":
        a.status, a.justification = AssignmentStatus.NOT_APPLICABLE, text
        a.na_proposed_by, a.na_proposed_at = actor, now
        a.na_approved_by = a.na_approved_at = None
        return _NA_FIELDS
    if action == "approve_na":
        a.na_approved_by, a.na_approved_at = actor, now
        return _NA_FIELDS
    if action in ("send_back", "reject_na", "reopen"):
        # Back to work: every sign-off and claim made on the old state is void.
        a.status = AssignmentStatus.IN_PROGRESS
        a.verified_by = a.verified_at = a.cosigned_by = a.cosigned_at = None
        a.implemented_by = a.implemented_at = None
        a.na_proposed_by = a.na_proposed_at = a.na_approved_by = a.na_approved_at = None
        return _SIGN_OFF_FIELDS + _IMPLEMENTED_FIELDS + _NA_FIELDS
    raise ValueError(f"unknown action {action!r}")


def assignment_act(
    *, actor, assignment: ControlAssignment, action: str, expected_version: int, text: str = ""
) -> ControlAssignment:
    """Take one lifecycle action (see assessments.workflow). Raises EditConflict when the
    assignment changed since the user saw it, ValidationError when its state does not allow it."""
    spec = ACTIONS[action]
    text = text.strip()
    if spec.needs_text and not text:
        raise ValidationError({"text": spec.text_label})
    with transaction.atomic():
        a = _locked(assignment, expected_version)
        evidence = current_evidence_count(a) if action == "implement" else None
        reason = spec.blocked(a, current_evidence=evidence)
        if reason:
            raise ValidationError(reason)
        before = audited_state(a)
        changed = _apply(a, action, actor=actor, text=text, now=timezone.now())
        save_audited(
            a,
            before=before,
            actor=actor,
            organisation=a.organisation,
            action=f"assessments.assignment.{action}",
            expected_version=expected_version,
            fields=["status", *changed],
        )
        if text and action != "propose_na":  # the justification is on the assignment itself
            _comment(actor, a, f"{spec.label}: {text}")
    return a


def assignment_update(*, actor, assignment: ControlAssignment, expected_version: int, data: dict) -> ControlAssignment:
    """Change assignee, due date and (leads, through their form) owner and co-signing team."""
    with transaction.atomic():
        a = _locked(assignment, expected_version)
        if a.is_retired:
            raise ValidationError(_("A retired assignment cannot be changed."))
        before = audited_state(a)
        for name, value in data.items():
            setattr(a, name, value)
        if {"owner_team", "cosigning_team", "assignee"} & set(data):
            _check_teams(a, moved="owner_team" in data)
        save_audited(
            a,
            before=before,
            actor=actor,
            organisation=a.organisation,
            action="assessments.assignment.updated",
            expected_version=expected_version,
            fields=sorted({*data, "assignee", "cosigning_team"}),
        )
    return a


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
    assignment's owner team); the view checked who may act."""
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
    if upload:
        evidence.kind = EvidenceKind.FILE
        evidence.original_filename = upload.name
        evidence.content_type = upload.content_type
        evidence.size = upload.size
        evidence.sha256 = upload.sha256
    elif link:
        evidence.kind, evidence.link = EvidenceKind.LINK, link
    else:
        evidence.kind, evidence.note = EvidenceKind.NOTE, note
    if upload:
        # The storage name is random (models.evidence_path); only the extension is kept.
        evidence.file.save(f"upload{upload.extension}", upload.file, save=False)
    try:
        with transaction.atomic():
            evidence.save()
            _evidence_recorded(actor, assignment, evidence)
    except BaseException:
        if evidence.file:
            evidence.file.delete(save=False)  # no orphan file when the row is not written
        raise
    return evidence


def _evidence_recorded(actor, assignment: ControlAssignment, evidence: Evidence) -> None:
    record(
        organisation=assignment.organisation,
        actor=actor,
        action="assessments.evidence.added",
        obj=assignment,
        after={
            "evidence": evidence.pk,
            "kind": evidence.kind,
            "name": evidence.original_filename or evidence.link or evidence.note[:80],
            "sha256": evidence.sha256,
            "valid_until": evidence.valid_until,
        },
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
