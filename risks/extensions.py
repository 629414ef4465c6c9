"""What the risk register adds to the AI-system page (settings.BASTION_EXTENSIONS)."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from .heatmap import heat_map
from .models import Acceptance, RiskScenario


def risks_tab(system, membership) -> dict:
    url = reverse("risks:system_risks", args=[membership.organisation.slug, system.pk])
    return {"key": "risks", "label": _("Risks"), "url": url}


def risks_panel(system, membership) -> dict:
    """The residual heat map and the open high risks, on the system's Overview (two queries)."""
    risks = RiskScenario.objects.latest().filter(ai_system=system)
    summary = risks.alias(score=F("residual_likelihood") * F("residual_impact")).aggregate(
        total=Count("pk"),
        open_high=Count("pk", filter=Q(score__gte=10) & ~Q(acceptance=Acceptance.ACCEPTED)),
    )
    return {
        "template": "risks/_system_panel.html",
        "context": {
            "system": system,
            "heat": heat_map(risks),
            "summary": summary,
            "cell_url": reverse("risks:register", args=[membership.organisation.slug]) + f"?ai_system={system.pk}",
        },
    }
