"""What threat models add to the AI-system page (settings.BASTION_EXTENSIONS)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from records.models import RecordStatus

from .models import ThreatModel


def threat_model_tab(system, membership) -> dict:
    url = reverse("threats:system_threat_models", args=[membership.organisation.slug, system.pk])
    return {"key": "threat_model", "label": _("Threat model"), "url": url}


def threat_model_panel(system, membership) -> dict:
    """The latest approved version and a newer draft or review, with the review date (one query)."""
    rows = list(
        ThreatModel.objects.filter(ai_system=system)
        .filter(Q(is_latest=True) | Q(status=RecordStatus.APPROVED))
        .order_by("-record_version", "-pk")[:20]
    )
    return {
        "template": "threats/_system_panel.html",
        "context": {
            "system": system,
            "latest": next((t for t in rows if t.is_latest), None),
            "approved": next((t for t in rows if t.status == RecordStatus.APPROVED), None),
        },
    }


def red_team_tab(system, membership) -> dict:
    url = reverse("threats:system_exercises", args=[membership.organisation.slug, system.pk])
    return {"key": "red_team", "label": _("Red teaming"), "url": url}


def red_team_panel(system, membership) -> dict:
    """The latest exercise with its next due date, and the open high or critical findings of the
    system's exercises (two queries)."""
    from .models import BLOCKING, FindingStatus, RedTeamExercise, RedTeamFinding

    latest = RedTeamExercise.objects.filter(ai_system=system, is_latest=True).order_by("-ends_on", "-pk").first()
    blocking = list(
        RedTeamFinding.objects.filter(
            exercise__ai_system=system, exercise__is_latest=True, status=FindingStatus.OPEN, severity__in=BLOCKING
        )
        .select_related("exercise")
        .order_by("pk")[:20]
    )
    return {
        "template": "threats/_red_team_panel.html",
        "context": {"system": system, "latest": latest, "blocking": blocking},
    }
