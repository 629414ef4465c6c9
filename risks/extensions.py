"""What the risk register adds to the AI-system page (settings.BASTION_EXTENSIONS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .heatmap import heat_map, open_high
from .models import RiskScenario


def risks_tab(system, membership) -> dict:
    url = reverse("risks:system_risks", args=[membership.organisation.slug, system.pk])
    return {"key": "risks", "label": _("Risks"), "url": url}


def risks_panel(system, membership) -> dict:
    """The residual heat map and the open high risks, on the system's Overview (one query)."""
    heat = heat_map(RiskScenario.objects.latest().filter(ai_system=system))
    summary = {"total": sum(c.count for row in heat for c in row), "open_high": open_high(heat)}
    return {
        "template": "risks/_system_panel.html",
        "context": {
            "system": system,
            "heat": heat,
            "summary": summary,
            "cell_url": reverse("risks:register", args=[membership.organisation.slug]) + f"?ai_system={system.pk}",
        },
    }
