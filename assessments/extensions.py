"""What assessments adds to pages of lower apps (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from core import extensions
from core.extensions import Tab

from .models import Assessment


def member_home(membership) -> str | None:
    """Members land on their teams' work; leads and admins keep the default landing page."""
    if membership.role == Role.MEMBER:
        return reverse("assessments:work_list", args=[membership.organisation.slug])
    return None


def assessment_tab(system, membership) -> Tab:
    url = reverse("assessments:system_assessment", args=[membership.organisation.slug, system.pk])
    return Tab("assessment", _("Assessment"), url)


def controls_tab(system, membership) -> Tab:
    url = reverse("assessments:system_controls", args=[membership.organisation.slug, system.pk])
    return Tab("controls", _("Controls"), url)


def register_all() -> None:
    """What assessments contributes to the pages of lower apps (called from AppConfig.ready)."""
    extensions.register(extensions.ORG_HOME, member_home)
    extensions.register(extensions.SYSTEM_TABS, assessment_tab, order=10)
    extensions.register(extensions.SYSTEM_TABS, controls_tab, order=20)
    extensions.register(extensions.SEARCH, search_results, order=10)


def search_results(*, membership, query: str) -> list:
    """Assignments (by control reference or title, or system name) and assessments (by system)."""
    from governance.library.search import text_search
    from governance.search import Hit, group

    from .models import ControlAssignment

    org = membership.organisation
    slug = org.slug
    assignments = text_search(
        ControlAssignment.objects.for_org(org).active(), query, ["control__ref", "control__title", "ai_system__name"]
    ).select_related("control", "ai_system")
    assessments = text_search(Assessment.objects.for_org(org), query, ["ai_system__name", "ai_system__description"])
    return [
        group(
            "assignments",
            _("Assignments"),
            assignments.order_by("ai_system__name", "control__ref"),
            lambda a: Hit(
                a.control.title,
                reverse("assessments:assignment_detail", args=[slug, a.pk]),
                f"{a.ai_system.name} · {a.get_status_display()}",
                ref=a.control.ref,
            ),
        ),
        group(
            "assessments",
            _("Assessments"),
            assessments.select_related("ai_system").order_by("ai_system__name", "-created_at"),
            lambda s: Hit(
                _("Assessment of %(system)s") % {"system": s.ai_system.name},
                reverse("assessments:assessment_detail", args=[slug, s.pk]),
                _("%(status)s, started %(date)s")
                % {"status": s.get_status_display(), "date": s.created_at.strftime("%d %b %Y")},
            ),
        ),
    ]
