"""The AI-system profile's consistency rules, in one plain function.

The inventory form, the assessment's confirmed profile and the API all ask the same question —
does this profile contradict itself? — so the answer lives here, over a plain dict of profile
values, not inside a form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .models import EUAIActTier, LifecycleStage, SystemType


def profile_problems(profile: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field name → what is wrong with it; empty when the profile is consistent."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    system_type = profile.get("system_type")
    tier = profile.get("eu_ai_act_tier")
    if system_type == SystemType.AGENT and not profile.get("uses_tools"):
        add("uses_tools", _("An agent acts through tools: tick this, or choose another system type."))
    if profile.get("executes_code") and not profile.get("uses_tools"):
        add("uses_tools", _("Running code is a tool: tick this too."))
    if tier == EUAIActTier.PROHIBITED and profile.get("lifecycle_stage") == LifecycleStage.PRODUCTION:
        add(
            "eu_ai_act_tier",
            _("A prohibited practice (Art. 5) cannot be in production: retire the system or correct its class."),
        )
    if tier in (EUAIActTier.GPAI, EUAIActTier.GPAI_SYSTEMIC) and system_type != SystemType.FOUNDATION_MODEL:
        add("eu_ai_act_tier", _("The general-purpose AI tiers apply to general-purpose / foundation models only."))
    return problems
