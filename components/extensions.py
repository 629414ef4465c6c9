"""What the AI-BOM adds to the AI-system page (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import extensions
from core.extensions import Panel, Tab

from . import rules
from .models import Approval, Component
from .queries import build, of_systems


def components_tab(system, membership) -> Tab:
    url = reverse("components:system_components", args=[membership.organisation.slug, system.pk])
    return Tab("components", _("Components"), url)


def components_panel(system, membership) -> Panel:
    """Unapproved tools and MCP servers and the profile warnings, on the Overview (one query)."""
    found = build(system, of_systems([system.pk])[system.pk])
    return Panel("components/_system_panel.html", {"system": system, "found": found})


def approvals_panel(membership, version: int) -> Panel | None:
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


def search_results(*, membership, query: str) -> list:
    """Components in use (models, datasets, tools, MCP servers…) by name, supplier or description."""
    from governance.library.search import text_search
    from governance.search import Hit, group

    org = membership.organisation
    rows = text_search(
        Component.objects.for_org(org).active().select_related("ai_system"), query, ["name", "supplier", "description"]
    )
    return [
        group(
            "components",
            _("Components"),
            rows.order_by("name", "pk"),
            lambda c: Hit(
                c.name,
                reverse("components:component_detail", args=[org.slug, c.pk]),
                f"{c.get_kind_display()} · {c.ai_system.name}",
            ),
        )
    ]


def register_all() -> None:
    extensions.register(extensions.SYSTEM_TABS, components_tab, order=5)
    extensions.register(extensions.SYSTEM_PANELS, components_panel, order=15)
    extensions.register(extensions.WORK_PANELS, approvals_panel, order=20)
    extensions.register(extensions.SEARCH, search_results, order=30)
