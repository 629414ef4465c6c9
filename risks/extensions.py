"""What the risk register adds to the AI-system page (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import extensions
from core.extensions import Panel, Tab

from .heatmap import heat_map, open_high
from .models import RiskScenario


def risks_tab(system, membership) -> Tab:
    url = reverse("risks:system_risks", args=[membership.organisation.slug, system.pk])
    return Tab("risks", _("Risks"), url)


def risks_panel(system, membership) -> Panel:
    """The residual heat map and the open high risks, on the system's Overview (one query)."""
    heat = heat_map(RiskScenario.objects.latest().filter(ai_system=system))
    summary = {"total": sum(c.count for row in heat for c in row), "open_high": open_high(heat)}
    return Panel(
        "risks/_system_panel.html",
        {
            "system": system,
            "heat": heat,
            "summary": summary,
            "cell_url": reverse("risks:register", args=[membership.organisation.slug]) + f"?ai_system={system.pk}",
        },
    )


def register_all() -> None:
    """What the risk register adds to the AI-system page."""
    extensions.register(extensions.SYSTEM_TABS, risks_tab, order=50)
    extensions.register(extensions.SYSTEM_PANELS, risks_panel, order=40)
