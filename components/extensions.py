"""What the AI-BOM adds to the AI-system page (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import extensions
from core.extensions import Panel, Tab

from . import rules
from .models import Approval, Component
from .summary import build, of_systems


def components_tab(system, membership) -> Tab:
    url = reverse("components:system_components", args=[membership.organisation.slug, system.pk])
    return Tab("components", _("Components"), url)


def components_panel(system, membership) -> Panel:
    """Unapproved tools and MCP servers and the profile warnings, on the Overview (one query)."""
    found = build(system, of_systems([system.pk])[system.pk])
    return Panel("components/_system_panel.html", {"system": system, "found": found})


def approvals_panel(membership) -> Panel | None:
    """Tools and MCP servers awaiting approval, on *My team's work* of security leads (one
    query; at most 50 listed, oldest first)."""
    if not rules.can_decide_component(membership):
        return None
    rows = list(
        Component.objects.for_org(membership.organisation)
        .active()
        .filter(approval=Approval.PROPOSED)
        .select_related("ai_system", "proposed_by")
        .order_by("updated_at", "pk")[:50]
    )
    return Panel("components/_approvals_panel.html", {"rows": rows, "user_id": membership.user_id})


def register_all() -> None:
    extensions.register(extensions.SYSTEM_TABS, components_tab, order=5)
    extensions.register(extensions.SYSTEM_PANELS, components_panel, order=15)
    extensions.register(extensions.WORK_PANELS, approvals_panel, order=20)
