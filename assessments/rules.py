"""Who may do what to assessments and control assignments: the object rules, next to their models.

Tenant resolution and role checks stay in `accounts.access`; these rules add what depends on the
record (its state, who implemented it, which teams own it). The assignment and assessment
workflows (`assessments.workflow`) name these rules in their transition tables, and the one
transition mechanism evaluates them on the locked row.
"""

from __future__ import annotations

from accounts.access import lead_or_member_of, team_ids
from accounts.models import Membership
from core.workflow import all_of, signed_off_by_other_than

from .models import Assessment, ControlAssignment


def can_start_assessment(membership: Membership, system) -> bool:
    return membership.is_lead and system.retired_at is None


def can_answer_assessment(membership: Membership, assessment: Assessment) -> bool:
    """While the questionnaire is open: leads, and members of the team that owns the system
    (product owners know the answers)."""
    return assessment.is_draft and lead_or_member_of(membership, assessment.ai_system.owner_team_id)


def can_lead_assessment(membership: Membership, assessment: Assessment | None = None) -> bool:
    """Confirming the control plan and submitting for review are a governance lead's steps."""
    return membership.is_lead


def can_review_assessment(membership: Membership, assessment: Assessment) -> bool:
    """Another lead reviews: never the one who submitted."""
    return membership.is_lead and signed_off_by_other_than("submitted_by_id")(membership, assessment)


def can_manage_routing(membership: Membership) -> bool:
    """Leads and admins edit the ownership rules that route controls to teams."""
    return membership.is_lead


def can_work_on_assignment(membership: Membership, assignment: ControlAssignment) -> bool:
    """Move, evidence and reassign an assignment: its owner team's members, and leads."""
    return assignment.retired_at is None and lead_or_member_of(membership, assignment.owner_team_id)


def _is_lead(membership: Membership, assignment: ControlAssignment) -> bool:
    return assignment.retired_at is None and membership.is_lead


def _in_cosigning_team(membership: Membership, assignment: ControlAssignment) -> bool:
    return (
        assignment.retired_at is None
        and membership.can_edit
        and assignment.cosigning_team_id is not None
        and assignment.cosigning_team_id in team_ids(membership)
    )


# The verification sign-off: a lead who neither implemented the control nor co-signed it.
can_verify_assignment = all_of(_is_lead, signed_off_by_other_than("implemented_by_id", "cosigned_by_id"))

# For controls of both domains: a member of the co-signing team other than the implementer and
# the verifying lead, so the two sign-offs come from two people.
can_cosign_assignment = all_of(_in_cosigning_team, signed_off_by_other_than("implemented_by_id", "verified_by_id"))

# A lead approves or rejects a not-applicable claim, never their own.
can_decide_not_applicable = all_of(_is_lead, signed_off_by_other_than("na_proposed_by_id"))

can_reopen_assignment = _is_lead


def can_sign_assignment(membership: Membership, assignment: ControlAssignment) -> bool:
    """Either sign-off: those who may verify or co-sign may also send the work back."""
    return can_verify_assignment(membership, assignment) or can_cosign_assignment(membership, assignment)


def can_comment_on_assignment(membership: Membership, assignment: ControlAssignment) -> bool:
    """Leads and the members of the owning and co-signing teams discuss an assignment."""
    if membership.is_lead:
        return True
    teams = team_ids(membership)
    return membership.can_edit and (assignment.owner_team_id in teams or assignment.cosigning_team_id in teams)


def can_change_assignment_owner(membership: Membership) -> bool:
    """Moving work between teams is a lead's decision; members reassign within their team."""
    return membership.is_lead
