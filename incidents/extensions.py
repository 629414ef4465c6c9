"""What incidents add to pages of lower apps (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import team_ids
from audit.versions import cached_for_org
from core import extensions
from core.extensions import Panel, Tab

from .models import Incident


def incidents_tab(system, membership) -> Tab:
    url = reverse("incidents:system_incidents", args=[membership.organisation.slug, system.pk])
    return Tab("incidents", _("Incidents"), url)


def incidents_panel(system, membership) -> Panel:
    """The system's incidents still being handled, on its Overview (one query)."""
    rows = list(Incident.objects.for_org(membership.organisation).active().filter(systems=system).open_first()[:10])
    return Panel("incidents/_system_panel.html", {"system": system, "incidents": rows})


def my_incidents_panel(membership, version: int) -> Panel | None:
    """On My team's work: the incidents still being handled that the member's teams own (one
    query, after the member's teams)."""
    teams = team_ids(membership)
    if not teams:
        return None
    org = membership.organisation

    def read() -> list[Incident]:
        return list(
            Incident.objects.for_org(org)
            .active()
            .filter(
                Q(owner_team__in=teams)
                | Q(cosigning_team__in=teams)
                | Q(pk__in=Incident.systems.through.objects.filter(aisystem__owner_team__in=teams).values("incident"))
            )
            .open_first()[:50]
        )

    # Incidents and systems change only with audited changes: the teams' list is kept under the
    # data version, shared by the teams' members.
    rows = cached_for_org(org, "work-incidents:" + "-".join(map(str, sorted(teams))), read, version=version)
    return Panel("incidents/_work_panel.html", {"incidents": rows}) if rows else None


def register_all() -> None:
    extensions.register(extensions.SYSTEM_TABS, incidents_tab, order=80)
    extensions.register(extensions.SYSTEM_PANELS, incidents_panel, order=60)
    extensions.register(extensions.WORK_PANELS, my_incidents_panel, order=5)
