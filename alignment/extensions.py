"""What alignment reviews add to the AI-system page (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import extensions
from core.extensions import Panel, Tab

from .models import AlignmentReview
from .standing import standing


def alignment_tab(system, membership) -> Tab:
    url = reverse("alignment:system_reviews", args=[membership.organisation.slug, system.pk])
    return Tab("alignment", _("Alignment"), url)


def alignment_panel(system, membership) -> Panel:
    """The system's standing (plainly: an overdue condition, a lapsed approval) and the newest
    version when it is still being written or reviewed (three queries)."""
    latest = AlignmentReview.objects.filter(ai_system=system, is_latest=True).order_by("-pk").first()
    return Panel(
        "alignment/_system_panel.html",
        {"system": system, "standing": standing([system.pk])[system.pk], "latest": latest},
    )


def register_all() -> None:
    extensions.register(extensions.SYSTEM_TABS, alignment_tab, order=45)
    extensions.register(extensions.SYSTEM_PANELS, alignment_panel, order=35)
