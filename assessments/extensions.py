"""What assessments adds to pages of lower apps (registered in settings.BASTION_EXTENSIONS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role

from .models import Assessment
from .readiness import system_readiness, team_load_cached


def member_home(membership) -> str | None:
    """Members land on their teams' work; leads and admins keep the default landing page."""
    if membership.role == Role.MEMBER:
        return reverse("assessments:work_list", args=[membership.organisation.slug])
    return None


def assessment_tab(system, membership) -> dict:
    url = reverse("assessments:system_assessment", args=[membership.organisation.slug, system.pk])
    return {"key": "assessment", "label": _("Assessment"), "url": url}


def controls_tab(system, membership) -> dict:
    url = reverse("assessments:system_controls", args=[membership.organisation.slug, system.pk])
    return {"key": "controls", "label": _("Controls"), "url": url}


def readiness_panel(system, membership) -> dict:
    """Readiness v1 on the system's Overview: one aggregate query, plus the latest assessment."""
    return {
        "template": "assessments/_readiness_panel.html",
        "context": {
            "system": system,
            "readiness": system_readiness(system),
            "latest": Assessment.objects.filter(ai_system=system).order_by("-created_at", "-pk").first(),
        },
    }


def team_load_panel(team, membership) -> dict:
    load, people = team_load_cached(membership.organisation, team)
    return {
        "template": "assessments/_team_load_panel.html",
        "context": {"team": team, "load": load, "people": people},
    }
