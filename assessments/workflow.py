"""The assignment lifecycle as data: each action, the states it starts from, who may take it.

    not_started → in_progress → implemented (needs current evidence) → verified
    not_started / in_progress → not_applicable (justified) → approved by a lead

`verified` needs a lead's sign-off from someone other than the implementer; a control of both
domains also needs the sign-off of its co-signing team, and becomes verified when both are in.
A verifier may send implemented work back; a lead may reopen a decided assignment.

Who may act is decided in accounts/access.py (the view refuses with 403); when an action is
possible is decided here, and the service (services/assignments.py) checks it again on the
locked row, at the version the user saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts import access

from .models import AssignmentStatus as S
from .models import ControlAssignment


def _can_sign(membership, assignment) -> bool:
    return access.can_verify_assignment(membership, assignment) or access.can_cosign_assignment(membership, assignment)


@dataclass(frozen=True)
class Action:
    key: str
    label: Any
    sources: frozenset[str]
    permission: Callable[[Any, ControlAssignment], bool]
    needs_text: bool = False  # a justification or a comment saying why
    text_label: Any = ""

    def blocked(self, assignment: ControlAssignment, *, current_evidence: int | None) -> str | None:
        """Why the action cannot be taken in the assignment's state now, or None."""
        if assignment.is_retired:
            return str(_("The assignment is retired."))
        if assignment.status not in self.sources:
            return str(
                _("Not possible while the assignment is “%(status)s”.") % {"status": assignment.get_status_display()}
            )
        if self.key == "implement" and current_evidence == 0:
            return str(_("Add evidence that is still valid first: a file, a link or a note."))
        if self.key == "verify" and assignment.verified_by_id:
            return str(_("Already verified by a lead; it awaits the co-signing team."))
        if self.key == "cosign" and (assignment.cosigning_team_id is None or assignment.cosigned_by_id):
            return str(_("No co-signature is needed or it is already given."))
        if self.key in ("approve_na", "reject_na") and not assignment.na_pending:
            return str(_("No not-applicable claim is waiting for approval."))
        if self.key == "reopen" and not assignment.is_decided:
            return str(_("Only decided assignments are reopened."))
        return None


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in [
        Action("start", _("Start work"), frozenset({S.NOT_STARTED}), access.can_work_on_assignment),
        Action(
            "implement", _("Mark implemented"), frozenset({S.NOT_STARTED, S.IN_PROGRESS}), access.can_work_on_assignment
        ),
        Action("verify", _("Verify"), frozenset({S.IMPLEMENTED}), access.can_verify_assignment),
        Action("cosign", _("Co-sign"), frozenset({S.IMPLEMENTED}), access.can_cosign_assignment),
        Action(
            "send_back",
            _("Send back"),
            frozenset({S.IMPLEMENTED}),
            _can_sign,
            needs_text=True,
            text_label=_("What is missing?"),
        ),
        Action(
            "propose_na",
            _("Propose not applicable"),
            frozenset({S.NOT_STARTED, S.IN_PROGRESS}),
            access.can_work_on_assignment,
            needs_text=True,
            text_label=_("Why does it not apply to this system?"),
        ),
        Action(
            "approve_na", _("Approve not applicable"), frozenset({S.NOT_APPLICABLE}), access.can_decide_not_applicable
        ),
        Action(
            "reject_na",
            _("Reject not applicable"),
            frozenset({S.NOT_APPLICABLE}),
            access.can_decide_not_applicable,
            needs_text=True,
            text_label=_("Why does it apply after all?"),
        ),
        Action(
            "reopen",
            _("Reopen"),
            frozenset({S.VERIFIED, S.NOT_APPLICABLE}),
            access.can_reopen_assignment,
            needs_text=True,
            text_label=_("Why is it reopened?"),
        ),
    ]
}

# Actions that need no text can be taken inline from a list and in bulk.
QUICK_ACTIONS = [key for key, action in ACTIONS.items() if not action.needs_text]


def available(membership, assignment: ControlAssignment, *, current_evidence: int, quick: bool = False) -> list[Action]:
    """The actions this member can take on the assignment now."""
    keys = QUICK_ACTIONS if quick else ACTIONS
    return [
        ACTIONS[key]
        for key in keys
        if ACTIONS[key].permission(membership, assignment)
        and ACTIONS[key].blocked(assignment, current_evidence=current_evidence) is None
    ]
