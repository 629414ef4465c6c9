"""Who may do what with incidents (tenancy and roles: accounts.access)."""

from __future__ import annotations

from accounts.access import team_ids
from accounts.models import Membership

from .models import IncidentStatus


def can_report(membership: Membership) -> bool:
    """Anyone in the organisation who changes data (member and above) reports an incident, on
    any system: whoever notices it first should not need to be in the right team."""
    return membership.can_edit


def can_work_on_incident(membership: Membership, incident) -> bool:
    """Leads, and members of the incident's teams (its domain's teams and the affected systems'
    owner teams): timeline entries, containment, resolution, the review, follow-ups."""
    if membership.is_lead:
        return True
    return membership.can_edit and bool(incident.team_ids() & team_ids(membership))


def can_edit_incident(membership: Membership, incident) -> bool:
    return incident.status != IncidentStatus.CLOSED and can_work_on_incident(membership, incident)


def can_close(membership: Membership, incident=None) -> bool:
    """Closing ends the incident for good: a lead's decision, once the review is written."""
    return membership.is_lead
