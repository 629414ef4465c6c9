"""Who may act on governed records and their follow-ups (tenancy and roles: accounts.access)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.access import lead_or_member_of, team_ids
from accounts.models import Discipline, Membership, Team

SECURITY_OWNING = (Discipline.SECURITY, Discipline.BOTH)
SAFETY_OWNING = (Discipline.SAFETY, Discipline.BOTH)


def sides_of(disciplines) -> frozenset[str]:
    """The domains teams of these disciplines own: "security", "safety" ("both" gives both)."""
    found = set()
    if set(disciplines) & set(SECURITY_OWNING):
        found.add(Discipline.SECURITY.value)
    if set(disciplines) & set(SAFETY_OWNING):
        found.add(Discipline.SAFETY.value)
    return frozenset(found)


def sides(membership: Membership) -> frozenset[str]:
    """The domains the member's teams own. One query, cached on the membership (callers that
    already know the teams' disciplines put `sides_of(…)` there first)."""
    cached = getattr(membership, "_sides", None)
    if cached is None:
        disciplines = Team.objects.filter(pk__in=team_ids(membership)).values_list("discipline", flat=True)
        cached = membership._sides = sides_of(disciplines)  # type: ignore[attr-defined]  # cached per request
    return cached


def can_create_record(membership: Membership, system) -> bool:
    return system.retired_at is None and lead_or_member_of(membership, system.owner_team_id)


# What a page or the API says when can_edit_record refuses.
EDIT_REFUSAL = gettext_lazy("Only drafts are edited, by leads and the record's teams.")


def can_edit_record(membership: Membership, record) -> bool:
    """Draft and sent-back versions: leads, and members of the teams the record names."""
    if not record.is_editable:
        return False
    if membership.is_lead:
        return True
    return membership.can_edit and bool(record.editing_team_ids() & team_ids(membership))


def can_work_on_record(membership: Membership, record) -> bool:
    """Raise follow-ups, start a new version: leads, and members of the record's teams."""
    if membership.is_lead:
        return True
    return membership.can_edit and bool(record.editing_team_ids() & team_ids(membership))


def any_lead(membership: Membership, record=None) -> bool:
    return membership.is_lead


def security_lead(membership: Membership, record=None) -> bool:
    """Security records: an admin, or a lead in a team that owns security."""
    return membership.is_admin or (membership.is_lead and "security" in sides(membership))


def can_work_on_follow_up(membership: Membership, follow_up) -> bool:
    return lead_or_member_of(membership, follow_up.owner_team_id)


def can_reopen_follow_up(membership: Membership, follow_up) -> bool:
    return membership.is_lead
