"""What IR plans add to the AI-system page (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import extensions
from core.extensions import Panel, Tab

from .coverage import coverage


def plan_tab(system, membership) -> Tab:
    url = reverse("response:system_plans", args=[membership.organisation.slug, system.pk])
    return Tab("ir_plan", _("IR plan"), url)


def plan_panel(system, membership) -> Panel:
    """The approved plan covering the system, its last tabletop exercise and whether the readiness
    gate passes (the two queries of `coverage`)."""
    return Panel("response/_system_panel.html", {"system": system, "coverage": coverage([system.pk])[system.pk]})


def register_all() -> None:
    """What IR plans and tabletop exercises add to the AI-system page."""
    extensions.register(extensions.SYSTEM_TABS, plan_tab, order=60)
    extensions.register(extensions.SYSTEM_PANELS, plan_panel, order=50)
