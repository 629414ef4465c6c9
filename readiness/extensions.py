"""What readiness adds to the pages of lower apps (registered by `register_all`, from AppConfig.ready).

Lower apps never import readiness: the AI-system page, the team page, the assessment pages and
the inventory list ask through `core.extensions` hooks, and this module answers them.
"""

from __future__ import annotations

import hashlib

import django_filters
from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from audit.versions import cached_for_org
from core import extensions
from core.extensions import Cell, ListColumns, Panel, Tab

from . import controls, engine

DASHBOARD_ROLES = (Role.ADMIN, Role.LEAD, Role.AUDITOR)


def dashboard_home(membership) -> str | None:
    """Leads, admins and auditors land on the readiness dashboard."""
    if membership.role in DASHBOARD_ROLES:
        return reverse("readiness:dashboard", args=[membership.organisation.slug])
    return None


def readiness_panel(system, membership) -> Panel:
    """The verdict, every gate with its reason, and control readiness per domain (the engine's
    fixed number of queries for one system)."""
    org = membership.organisation
    # Kept under the organisation's data version (and the day, and the language of its reasons),
    # as the dashboard's is: the gates are about twenty queries, on the page people open most.
    readiness = cached_for_org(
        org,
        f"system-readiness-{system.pk}",
        lambda: engine.for_systems(org, [system.pk], names={system.pk: system.name})[system.pk],
        per_language=True,
    )
    context = {"system": system, "readiness": readiness, "assessment": readiness.gate("assessment")}
    return Panel("readiness/_system_panel.html", context)


def coverage_tab(system, membership) -> Tab:
    url = reverse("readiness:system_coverage", args=[membership.organisation.slug, system.pk])
    return Tab("coverage", _("Framework coverage"), url)


def team_load_panel(team, membership) -> Panel:
    load, people = controls.team_load_cached(membership.organisation, team)
    return Panel("readiness/_team_load_panel.html", {"team": team, "load": load, "people": people})


def control_readiness(system):
    return controls.system_readiness(system)


def teams_load(organisation, teams):
    return controls.org_teams_load(organisation, teams)


READY_CHOICES = [
    ("yes", gettext_lazy("Audit-ready")),
    ("no", gettext_lazy("Not audit-ready")),
    ("security_below", gettext_lazy("Security below the threshold")),
    ("safety_below", gettext_lazy("Safety below the threshold")),
]


def _matches(readiness: engine.SystemReadiness, value: str) -> bool:
    if value == "yes":
        return readiness.audit_ready
    if value == "no":
        return not readiness.audit_ready
    domain = value.removesuffix("_below")
    return any(not check.passed for check in readiness.control_checks if check.key == f"controls_{domain}")


def inventory_columns(membership) -> ListColumns:
    """Security %, safety % and audit-ready on the inventory list, and a filter on them.

    The filter needs every system's verdict: the engine's fixed queries over the systems the
    other filters left, then one `pk IN` on the survivors. The columns cover the visible page only.
    """
    org = membership.organisation

    def narrow(queryset, name, value):
        if not value:
            return queryset
        names = dict(queryset.order_by().values_list("pk", "name"))
        verdicts = engine.for_systems(org, names, names=names)
        return queryset.filter(pk__in=[pk for pk, r in verdicts.items() if _matches(r, value)])

    def cells(rows) -> dict[int, list[Cell]]:
        names = {system.pk: system.name for system in rows}
        if not names:
            return {}
        # The visible page's verdicts, kept under the organisation's data version and today (as the
        # dashboard's): a repeat view reads the chain head instead of running the engine (its ~9
        # queries and ~25 ms of Python). The cells carry translated text: one entry per language.
        page = hashlib.blake2b(",".join(map(str, sorted(names))).encode(), digest_size=16).hexdigest()
        return cached_for_org(org, f"inventory-cells-{page}", lambda: _cells(org, names), per_language=True)

    return ListColumns(
        headers=[_("Security"), _("Safety"), _("Audit-ready")],
        cells=cells,
        filters={
            "readiness": django_filters.ChoiceFilter(
                label=_("Readiness"),
                choices=READY_CHOICES,
                method=narrow,
                empty_label=_("Any"),
                widget=forms.Select,
            )
        },
    )


def _cells(org, names: dict[int, str]) -> dict[int, list[Cell]]:
    verdicts = engine.for_systems(org, names, names=names)
    out = {}
    for pk, r in verdicts.items():
        out[pk] = [
            _percent_cell(org, pk, r.security),
            _percent_cell(org, pk, r.safety),
            Cell(
                _("yes") if r.audit_ready else _("no"),
                reverse("governance:system_detail", args=[org.slug, pk]) + "#readiness-heading",
                "verdict-ready" if r.audit_ready else "verdict-not-ready",
                "; ".join(f"{c.label}: {c.reason}" for c in r.failing),
            ),
        ]
    return out


def _percent_cell(org, pk: int, d: controls.DomainReadiness) -> Cell:
    url = reverse("assessments:system_controls", args=[org.slug, pk]) + f"?domain={d.domain}&status=open"
    if d.percent is None:
        return Cell("—", url, "text-body-secondary", _("No control of this domain applies."))
    return Cell(f"{d.percent} %", url, "", _("%(v)s of %(a)s verified") % {"v": d.verified, "a": d.applicable})


def register_all() -> None:
    extensions.register(extensions.ORG_HOME, dashboard_home, order=50)
    extensions.register(extensions.SYSTEM_PANELS, readiness_panel, order=5)
    extensions.register(extensions.SYSTEM_TABS, coverage_tab, order=25)
    extensions.register(extensions.TEAM_PANELS, team_load_panel, order=10)
    extensions.register(extensions.CONTROL_READINESS, control_readiness)
    extensions.register(extensions.TEAMS_LOAD, teams_load)
    extensions.register(extensions.SYSTEM_LIST, inventory_columns)
