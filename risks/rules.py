"""Who may accept a risk. Accepting is a governance lead's decision; a risk of both domains
needs two different leads, one from each side (security and safety), judged by their teams."""

from __future__ import annotations

from accounts.models import Membership
from core.choices import Domain
from records.rules import sides


def can_accept_risk(membership: Membership, risk) -> bool:
    """The first acceptance: any lead; for a `both` risk a lead whose teams own one side."""
    if not membership.is_lead:
        return False
    return risk.domain != Domain.BOTH or bool(sides(membership))


def can_cosign_acceptance(membership: Membership, risk) -> bool:
    """The second acceptance of a `both` risk: another lead, whose teams cover the other side."""
    if not membership.is_lead or membership.user_id == risk.accepted_by_id:
        return False
    first = set(filter(None, risk.accepted_sides.split(",")))
    mine = sides(membership)
    return bool(mine) and not (len(first) == 1 and mine == first)
