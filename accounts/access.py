"""Every permission decision of Bastion, in one module.

Views call one of the `get_*_for_user` helpers on their first line. The helpers resolve the
organisation from the URL through the user's membership, so:

- an anonymous user never gets here (views are `@login_required`);
- a user who is not a member of the organisation gets **404**, exactly as if the
  organisation or object did not exist: outsiders learn nothing;
- a member whose role is too low gets **403**.

Objects are always fetched through the organisation (`queryset.filter(organisation=org)`),
never by bare primary key. Rules that depend on team membership (a member may edit only what
their teams own) are the `can_*` functions below, so every view and every template asks the
same question the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from .models import ROLE_RANK, Membership, Role
from .profiles import remember_organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Roles that may read the organisation-wide audit trail and export audit packs.
AUDIT_READERS = frozenset({Role.ADMIN, Role.LEAD, Role.AUDITOR})


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    membership: Membership


def get_membership(
    request: HttpRequest, org_slug: str, *, min_role: str = Role.VIEWER, roles: Iterable[str] | None = None
) -> Membership:
    """Return the user's membership of the organisation `org_slug`, checking the role.

    `min_role` admits that role and every higher one; `roles`, when given, admits exactly
    those roles instead (for capabilities outside the ranking, such as auditors' exports).
    """
    membership = getattr(request, "membership", None)
    if membership is None or membership.organisation.slug != org_slug:
        try:
            membership = Membership.objects.select_related("organisation", "user").get(
                organisation__slug=org_slug, user_id=request.user.pk
            )
        except Membership.DoesNotExist:
            raise Http404("No such organisation") from None
        request.membership = membership
        if request.session.get("org_slug") != org_slug:
            request.session["org_slug"] = org_slug  # the home page returns here next time
            remember_organisation(request.user, membership.organisation)  # and at the next sign-in
    require_role(membership, min_role=min_role, roles=roles)
    return membership


def require_role(membership: Membership, *, min_role: str = Role.VIEWER, roles: Iterable[str] | None = None) -> None:
    if roles is not None:
        allowed = membership.role in set(roles)
    else:
        allowed = ROLE_RANK[Role(membership.role)] >= ROLE_RANK[Role(min_role)]
    if not allowed:
        raise PermissionDenied("Your role does not allow this.")


def ensure(allowed: bool, message: str = "You are not allowed to do this.") -> None:
    """Raise 403 unless `allowed`: for rules that depend on the object, not only the role."""
    if not allowed:
        raise PermissionDenied(message)


def get_object_for_user(
    request: HttpRequest,
    org_slug: str,
    queryset: models.QuerySet | type[models.Model],
    pk: Any,
    *,
    min_role: str = Role.VIEWER,
    roles: Iterable[str] | None = None,
) -> tuple[Membership, Any]:
    """Fetch one tenant object through the organisation: 404 for outsiders and foreign ids."""
    membership = get_membership(request, org_slug, min_role=min_role, roles=roles)
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        obj = queryset.get(organisation=membership.organisation, pk=pk)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404("No such object") from None
    return membership, obj


# --- Object rules -----------------------------------------------------------------------------


def team_ids(membership: Membership) -> frozenset[int]:
    """Ids of the user's teams in this organisation (one query, cached on the membership)."""
    cached = getattr(membership, "_team_ids", None)
    if cached is None:
        cached = frozenset(
            membership.user.teams.filter(organisation_id=membership.organisation_id).values_list("id", flat=True)
        )
        membership._team_ids = cached
    return cached


def can_create_system(membership: Membership) -> bool:
    return membership.can_edit


def lead_or_member_of(membership: Membership, team_id: int | None) -> bool:
    """Leads and admins act on everything; members on what their team owns."""
    if membership.is_lead:
        return True
    return membership.can_edit and team_id in team_ids(membership)


def can_edit_system(membership: Membership, system: Any) -> bool:
    """Leads and admins edit every system; members edit systems their team owns."""
    return system.retired_at is None and lead_or_member_of(membership, system.owner_team_id)


def can_retire_system(membership: Membership, system: Any) -> bool:
    return system.retired_at is None and membership.is_lead


def can_manage_members(membership: Membership) -> bool:
    return membership.is_admin


def can_read_audit_trail(membership: Membership) -> bool:
    return membership.role in AUDIT_READERS


# --- Assessments and control assignments (the objects come from the assessments app; this
# module only reads their ids and flags, so accounts never imports assessments) --------------


def can_manage_routing(membership: Membership) -> bool:
    """Leads and admins edit the ownership rules that route controls to teams."""
    return membership.is_lead


def can_start_assessment(membership: Membership, system: Any) -> bool:
    return membership.is_lead and system.retired_at is None


def can_answer_assessment(membership: Membership, assessment: Any) -> bool:
    """While the questionnaire is open: leads, and members of the team that owns the system
    (product owners know the answers)."""
    return assessment.is_draft and lead_or_member_of(membership, assessment.ai_system.owner_team_id)


def can_lead_assessment(membership: Membership) -> bool:
    """Confirming the control plan and submitting for review are a governance lead's steps."""
    return membership.is_lead


def can_review_assessment(membership: Membership, assessment: Any) -> bool:
    """Another lead reviews: never the one who submitted."""
    return membership.is_lead and assessment.submitted_by_id != membership.user_id


def can_work_on_assignment(membership: Membership, assignment: Any) -> bool:
    """Move, evidence and reassign an assignment: its owner team's members, and leads."""
    return assignment.retired_at is None and lead_or_member_of(membership, assignment.owner_team_id)


def can_verify_assignment(membership: Membership, assignment: Any) -> bool:
    """The verification sign-off: a lead who neither implemented the control nor co-signed it."""
    return (
        assignment.retired_at is None
        and membership.is_lead
        and membership.user_id not in (assignment.implemented_by_id, assignment.cosigned_by_id)
    )


def can_cosign_assignment(membership: Membership, assignment: Any) -> bool:
    """For controls of both domains: a member of the co-signing team other than the implementer
    and the verifying lead, so the two sign-offs come from two people."""
    return (
        assignment.retired_at is None
        and membership.can_edit
        and assignment.cosigning_team_id is not None
        and assignment.cosigning_team_id in team_ids(membership)
        and membership.user_id not in (assignment.implemented_by_id, assignment.verified_by_id)
    )


def can_decide_not_applicable(membership: Membership, assignment: Any) -> bool:
    """A lead approves or rejects a not-applicable claim, never their own."""
    return assignment.retired_at is None and membership.is_lead and assignment.na_proposed_by_id != membership.user_id


def can_reopen_assignment(membership: Membership, assignment: Any) -> bool:
    return assignment.retired_at is None and membership.is_lead


def can_comment_on_assignment(membership: Membership, assignment: Any) -> bool:
    """Leads and the members of the owning and co-signing teams discuss an assignment."""
    if membership.is_lead:
        return True
    teams = team_ids(membership)
    return membership.can_edit and (assignment.owner_team_id in teams or assignment.cosigning_team_id in teams)


def can_change_assignment_owner(membership: Membership) -> bool:
    """Moving work between teams is a lead's decision; members reassign within their team."""
    return membership.is_lead


# --- Library -----------------------------------------------------------------------------------


def can_edit_library(membership: Membership) -> bool:
    """Leads and admins add, edit, retire and import the organisation's own controls and frameworks."""
    return membership.is_lead


def can_edit_library_entry(membership: Membership, entry: Any) -> bool:
    """Own, active entries only: built-in content changes with a library release, never by hand."""
    return can_edit_library(membership) and entry.organisation_id is not None and entry.retired_at is None


def can_export_library(membership: Membership) -> bool:
    return membership.role in AUDIT_READERS


def get_library_object_for_user(
    request: HttpRequest, org_slug: str, queryset: models.QuerySet, pk: Any, *, min_role: str = Role.VIEWER
) -> tuple[Membership, Any]:
    """Fetch a library row the organisation can see: a built-in one (no organisation) or its own.

    Another organisation's own controls and frameworks are 404, like any foreign object.
    """
    membership = get_membership(request, org_slug, min_role=min_role)
    visible = models.Q(organisation__isnull=True) | models.Q(organisation=membership.organisation)
    try:
        obj = queryset.filter(visible).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404("No such library entry") from None
    return membership, obj
