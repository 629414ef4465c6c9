"""What the regulatory documents add to the AI-system page (registered from AppConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import extensions
from core.extensions import Tab


def regulatory_tab(system, membership) -> Tab:
    url = reverse("regulatory:system_regulatory", args=[membership.organisation.slug, system.pk])
    return Tab("regulatory", _("Regulatory"), url)


def register_all() -> None:
    extensions.register(extensions.SYSTEM_TABS, regulatory_tab, order=90)
