"""Who may decide alignment reviews (tenancy and roles: accounts.access; record rules: records.rules)."""

from __future__ import annotations

from accounts.models import Membership
from records.rules import sides


def safety_lead(membership: Membership, record=None) -> bool:
    """Safety records: an admin, or a lead in a team that owns safety (discipline safety or both)."""
    return membership.is_admin or (membership.is_lead and "safety" in sides(membership))
