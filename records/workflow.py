"""The one lifecycle of governed records, as a table of transitions (see core.workflow):

    draft → in_review → approved
              ↓
      changes_requested → draft

Each record type builds its workflow with `record_workflow(model, prefix, approver=…)`; only the
approver rule differs (any lead for risks, a security lead or an admin for threat models). The
approver is never the author of that version. Follow-ups have their own two-step table.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.access import membership_of
from core.workflow import Step, Transition, Workflow, all_of, signed_off_by_other_than

from . import rules
from .models import FollowUp, FollowUpKind, FollowUpStatus, RecordStatus

R = RecordStatus


def _submit(record: Any, step: Step) -> None:
    record.submitted_by, record.submitted_at = step.actor, step.now
    record.review_comment = ""


def _approve(record: Any, step: Step) -> None:
    record.approved_by, record.approved_at = step.actor, step.now
    record.review_comment = step.text
    record.next_review_due = record.review_due_from(step.now)


def _request_changes(record: Any, step: Step) -> None:
    record.review_comment = step.text


def _editor(membership: Any, record: Any) -> bool:
    return (
        rules.can_edit_record(membership, record)
        if record.is_editable
        else rules.can_work_on_record(membership, record)
    )


def record_workflow(
    model: type, action_prefix: str, *, approver=rules.any_lead, approver_label: Any = None
) -> Workflow:
    """The standard lifecycle table for one record type; `approver` says who may approve (the
    author of the version never may)."""
    reviewer = all_of(approver, signed_off_by_other_than("author_id"))
    refusal = approver_label or _("A lead other than the author reviews this record.")
    return Workflow(
        model=model,
        action_prefix=action_prefix,
        membership_of=membership_of,
        transitions=[
            Transition(
                "submit",
                _("Submit for review"),
                frozenset({R.DRAFT, R.CHANGES_REQUESTED}),
                R.IN_REVIEW,
                who=_editor,
                refusal=_("Leads and the members of the record's teams submit it."),
                effect=_submit,
                changes=("submitted_by", "submitted_at", "review_comment"),
                done=_("Submitted for review."),
            ),
            Transition(
                "approve",
                _("Approve"),
                frozenset({R.IN_REVIEW}),
                R.APPROVED,
                who=reviewer,
                refusal=refusal,
                effect=_approve,
                changes=("approved_by", "approved_at", "review_comment", "next_review_due"),
                done=_("Approved."),
            ),
            Transition(
                "request_changes",
                _("Request changes"),
                frozenset({R.IN_REVIEW}),
                R.CHANGES_REQUESTED,
                who=reviewer,
                refusal=refusal,
                effect=_request_changes,
                changes=("review_comment",),
                needs_text=True,
                text_label=_("Say what has to change."),
                done=_("Sent back to the author with your comment."),
            ),
            Transition(
                "resume",
                _("Back to draft"),
                frozenset({R.CHANGES_REQUESTED}),
                R.DRAFT,
                who=_editor,
                refusal=_("Leads and the members of the record's teams take it back to draft."),
                done=_("Back to draft."),
            ),
        ],
    )


def _is_action(f: FollowUp) -> str | None:
    return None if f.kind == FollowUpKind.ACTION else str(_("A control follow-up is closed on its assignment."))


def _close(f: FollowUp, step: Step) -> None:
    f.closed_by, f.closed_at, f.closing_note = step.actor, step.now, step.text


def _reopen(f: FollowUp, step: Step) -> None:
    f.closed_by = f.closed_at = None
    f.closing_note = step.text


FOLLOW_UP: Workflow[FollowUp] = Workflow(
    model=FollowUp,
    action_prefix="records.follow_up",
    membership_of=membership_of,
    always=(_is_action,),
    transitions=[
        Transition(
            "close",
            _("Mark done"),
            frozenset({FollowUpStatus.OPEN}),
            FollowUpStatus.DONE,
            who=rules.can_work_on_follow_up,
            refusal=_("Only the owner team's members and leads close this action."),
            effect=_close,
            changes=("closed_by", "closed_at", "closing_note"),
            done=_("Action marked done."),
        ),
        Transition(
            "reopen",
            _("Reopen"),
            frozenset({FollowUpStatus.DONE}),
            FollowUpStatus.OPEN,
            who=rules.can_reopen_follow_up,
            refusal=_("Only leads reopen a finished action."),
            effect=_reopen,
            changes=("closed_by", "closed_at", "closing_note"),
            needs_text=True,
            text_label=_("Why is it reopened?"),
            done=_("Action reopened."),
        ),
    ],
)
