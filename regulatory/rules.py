"""When the EU AI Act documents apply to a system, and who may write them (tenancy and roles:
accounts.access; the record lifecycle: records.rules)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.access import lead_or_member_of
from accounts.models import Membership
from governance.models import EUAIActTier, OperatorRole

PROVIDER_ROLES = frozenset({OperatorRole.PROVIDER, OperatorRole.PROVIDER_DEPLOYER})
DEPLOYER_ROLES = frozenset({OperatorRole.DEPLOYER, OperatorRole.PROVIDER_DEPLOYER})


def fria_refusal(system) -> str | None:
    """Why a fundamental-rights impact assessment is not offered for `system` (None: it is).
    Art. 27 asks it of deployers of high-risk systems."""
    if system.eu_ai_act_tier != EUAIActTier.HIGH:
        return _(
            "A fundamental-rights impact assessment is for high-risk systems; this system's EU AI Act tier "
            "is “%(tier)s”. Change the tier in the profile if it is high risk."
        ) % {"tier": system.get_eu_ai_act_tier_display()}
    if system.operator_role not in DEPLOYER_ROLES:
        return _(
            "A fundamental-rights impact assessment is written by the deployer; our role for this system is “%(role)s”."
        ) % {"role": system.get_operator_role_display()}
    return None


def technical_file_refusal(system) -> str | None:
    """Why no Annex IV technical documentation is drafted for `system` (None: it is). The provider
    of a high-risk system writes it."""
    if system.eu_ai_act_tier != EUAIActTier.HIGH:
        return _(
            "Technical documentation (Annex IV) is for high-risk systems; this system's EU AI Act tier is “%(tier)s”."
        ) % {"tier": system.get_eu_ai_act_tier_display()}
    if system.operator_role not in PROVIDER_ROLES:
        return _("Technical documentation is the provider's duty; our role for this system is “%(role)s”.") % {
            "role": system.get_operator_role_display()
        }
    return None


def can_edit_technical_file(membership: Membership, system) -> bool:
    """The provider's statements: leads, and members of the system's owner team."""
    return system.retired_at is None and lead_or_member_of(membership, system.owner_team_id)


def can_decide_soa(membership: Membership) -> bool:
    """Including or excluding a framework item is a governance lead's decision."""
    return membership.is_lead
