"""What threat models add to the AI-system page (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core import extensions
from core.extensions import Panel, Tab
from records.models import RecordStatus

from .models import ThreatModel


def threat_model_tab(system, membership) -> Tab:
    url = reverse("threats:system_threat_models", args=[membership.organisation.slug, system.pk])
    return Tab("threat_model", _("Threat model"), url)


def threat_model_panel(system, membership) -> Panel:
    """The latest approved version and a newer draft or review, with the review date (one query)."""
    rows = list(
        ThreatModel.objects.filter(ai_system=system)
        .filter(Q(is_latest=True) | Q(status=RecordStatus.APPROVED))
        .order_by("-record_version", "-pk")[:20]
    )
    return Panel(
        "threats/_system_panel.html",
        {
            "system": system,
            "latest": next((t for t in rows if t.is_latest), None),
            "approved": next((t for t in rows if t.status == RecordStatus.APPROVED), None),
        },
    )


def red_team_tab(system, membership) -> Tab:
    url = reverse("threats:system_exercises", args=[membership.organisation.slug, system.pk])
    return Tab("red_team", _("Red teaming"), url)


def red_team_panel(system, membership) -> Panel:
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
    return Panel(
        "threats/_red_team_panel.html",
        {"system": system, "latest": latest, "blocking": blocking},
    )


def register_all() -> None:
    """What threat models and red-team exercises add to the AI-system page."""
    extensions.register(extensions.SYSTEM_TABS, threat_model_tab, order=30)
    extensions.register(extensions.SYSTEM_TABS, red_team_tab, order=40)
    extensions.register(extensions.SYSTEM_PANELS, threat_model_panel, order=20)
    extensions.register(extensions.SYSTEM_PANELS, red_team_panel, order=30)
