"""Who may add, change and approve components (tenancy and roles: accounts.access)."""

from __future__ import annotations

from accounts.access import lead_or_member_of, team_ids
from accounts.models import Membership
from records.rules import security_lead

__all__ = ["can_add_component", "can_change_component", "can_decide_component", "security_lead"]


def can_add_component(membership: Membership, system) -> bool:
    """Leads, and members of the team that owns the system; not on a retired system."""
    return system.retired_at is None and lead_or_member_of(membership, system.owner_team_id)


def can_change_component(membership: Membership, component) -> bool:
    """Edit or retire: leads, members of the system's owner team and of the component's owner team."""
    if component.retired_at is not None:
        return False
    if membership.is_lead:
        return True
    teams = {component.owner_team_id, component.ai_system.owner_team_id}
    return membership.can_edit and bool(teams & team_ids(membership))


def can_decide_component(membership: Membership, component=None) -> bool:
    """Approve or reject a tool or MCP server: a security-owning lead (an admin, or a lead in a
    team whose discipline is security or both). The workflow adds: not the person who proposed it."""
    return security_lead(membership, component)
