"""What threat models add to the AI-system page (settings.BASTION_EXTENSIONS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from records.models import RecordStatus

from .models import ThreatModel


def threat_model_tab(system, membership) -> dict:
    url = reverse("threats:system_threat_models", args=[membership.organisation.slug, system.pk])
    return {"key": "threat_model", "label": _("Threat model"), "url": url}


def threat_model_panel(system, membership) -> dict:
    """The latest approved version and the newest draft or review, with the review date."""
    latest = list(
        ThreatModel.objects.filter(ai_system=system)
        .select_related("approved_by")
        .filter(is_latest=True)
        .order_by("-pk")[:1]
    )
    approved = (
        ThreatModel.objects.filter(ai_system=system, status=RecordStatus.APPROVED).order_by("-record_version").first()
    )
    return {
        "template": "threats/_system_panel.html",
        "context": {"system": system, "latest": latest[0] if latest else None, "approved": approved},
    }
