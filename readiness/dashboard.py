"""What the readiness dashboard shows, computed in a fixed number of queries.

Views fetch, templates render: everything here returns plain data (numbers, labels, links), so
the template runs no query. Every number carries the link to the list of work that changes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.access import team_ids
from accounts.models import Discipline, Role, Team
from core.choices import Domain
from governance.models.library import GOVERNANCE_PRACTICES, Practice
from incidents.queries import open_counts
from threats.models import BLOCKING, FindingStatus, RedTeamFinding

from . import controls, engine
from .controls import READINESS_DOMAINS, in_domain
from .models import ReadinessSnapshot, Scope
from .snapshots import risks_above_appetite


def visible_domains(membership) -> list[str]:
    """A security team member sees the security column, a safety one the safety column; admins,
    auditors, viewers and people in both kinds of team (or none) see both."""
    both = [d.value for d in READINESS_DOMAINS]
    if membership.role not in (Role.MEMBER, Role.LEAD):
        return both
    disciplines = set(Team.objects.filter(pk__in=team_ids(membership)).values_list("discipline", flat=True).distinct())
    if not disciplines or disciplines - {Discipline.SECURITY, Discipline.SAFETY}:
        return both
    return [d for d in both if d in disciplines]


@dataclass
class Figure:
    label: str
    value: object
    url: str
    detail: str = ""
    css: str = ""


@dataclass
class Side:
    domain: str
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Digest:
    """What the dashboard reads of the organisation's readiness, small enough to keep in the
    cache: the counts, each domain's control totals, and the practice grid of the systems it shows
    (not-ready first, then by name). Keeping the whole OrganisationReadiness instead meant unpickling a thousand
    systems with their gates on every view (about 25 ms at a thousand systems) to show a hundred."""

    total: int
    threshold: int
    ready_count: int
    not_ready_count: int
    totals: dict[str, dict[str, int]]  # domain -> verified, applicable, awaiting, overdue
    practices: list[tuple[str, str]]  # the grid's columns
    grid: list[tuple]  # (system, cells) for the systems shown

    @property
    def not_ready(self) -> list[engine.SystemReadiness]:
        """The not-ready systems among those shown (all of them come first in the grid)."""
        return [system for system, _cells in self.grid if not system.audit_ready]


def digest(org, readiness: engine.OrganisationReadiness, rows: int) -> Digest:
    """The Digest of `readiness`, with the practice grid of its first `rows` systems (its cells
    hold translated phrases: keep it per language)."""
    ordered = sorted(readiness.systems, key=lambda system: (system.audit_ready, system.name))
    not_ready_count = len(readiness.not_ready)
    totals: dict[str, dict[str, int]] = {}
    for domain in READINESS_DOMAINS:
        parts = [system.domain(domain) for system in readiness.systems]
        totals[str(domain)] = {
            "verified": sum(d.verified for d in parts),
            "applicable": sum(d.applicable for d in parts),
            "awaiting": sum(d.awaiting_verification for d in parts),
            "overdue": sum(d.overdue for d in parts),
        }
    practices, grid = practice_grid(org, ordered[:rows])
    return Digest(
        total=readiness.total,
        threshold=readiness.threshold,
        ready_count=readiness.total - not_ready_count,
        not_ready_count=not_ready_count,
        totals=totals,
        practices=practices,
        grid=grid,
    )


def sides(org, totals: dict[str, dict[str, int]], domains: list[str]) -> list[Side]:
    """Security and safety side by side (`totals` from the Digest): three aggregate queries
    (findings, incidents, risks)."""
    slug = org.slug
    work = reverse("readiness:work", args=[slug])
    findings_url = reverse("readiness:findings", args=[slug])
    register = reverse("risks:register", args=[slug])
    open_findings = RedTeamFinding.objects.filter(
        organisation=org, exercise__is_latest=True, status=FindingStatus.OPEN
    ).aggregate(
        **{f"{d}_open": Count("pk", filter=in_domain(d, "")) for d in domains},
        **{f"{d}_high": Count("pk", filter=in_domain(d, "") & Q(severity__in=BLOCKING)) for d in domains},
    )
    risks = risks_above_appetite(org).aggregate(**{d: Count("pk", filter=in_domain(d, "")) for d in domains})
    incidents = open_counts(org, by="domain")  # open or contained, each incident once per domain
    incidents_url = reverse("incidents:incident_list", args=[slug])
    result = []
    for domain in domains:
        verified, applicable, awaiting, overdue = (
            totals[domain][key] for key in ("verified", "applicable", "awaiting", "overdue")
        )
        percent = round(100 * verified / applicable) if applicable else None
        side = Side(domain)
        side.figures = [
            Figure(
                _("Control readiness"),
                f"{percent} %" if percent is not None else "—",
                f"{work}?domain={domain}&status=open",
                _("%(v)s of %(a)s verified, %(w)s awaiting verification")
                % {"v": verified, "a": applicable, "w": awaiting},
            ),
            Figure(_("Overdue work"), overdue, f"{work}?domain={domain}&due=overdue", css="overdue" if overdue else ""),
            Figure(
                _("Open red-team findings"),
                open_findings[f"{domain}_open"],
                f"{findings_url}?domain={domain}",
                _("%(n)s high or critical") % {"n": open_findings[f"{domain}_high"]},
            ),
            Figure(
                _("Open incidents"),
                incidents.get(domain, 0) + incidents.get(Domain.BOTH, 0),
                f"{incidents_url}?domain={domain}",
                _("%(n)s of them of both domains") % {"n": incidents.get(Domain.BOTH, 0)},
            ),
            Figure(
                _("Risks above appetite"),
                risks[domain],
                f"{register}?appetite={domain}",
                _("high or critical residual score, not accepted"),
            ),
        ]
        result.append(side)
    return result


@dataclass
class TeamRow:
    team: Team
    figures: list[Figure]


def team_rows(org) -> list[TeamRow]:
    """Per team: open, overdue, awaiting verification, awaiting co-signature (two grouped queries,
    cached under the organisation's data version)."""
    work = reverse("readiness:work", args=[org.slug])
    teams = list(Team.objects.for_org(org).order_by("name"))
    rows = []
    for load in controls.org_teams_load(org, teams):
        base = f"{work}?team={load.team.pk}"
        rows.append(
            TeamRow(
                load.team,
                [
                    Figure(_("Open"), load.open, f"{base}&status=open"),
                    Figure(_("Overdue"), load.overdue, f"{base}&due=overdue", css="overdue" if load.overdue else ""),
                    Figure(_("Awaiting verification"), load.awaiting_verification, f"{base}&status=implemented"),
                    Figure(_("Awaiting co-signature"), load.awaiting_cosign, f"{work}?cosign={load.team.pk}"),
                ],
            )
        )
    return rows


@dataclass
class GridCell:
    colour: str  # green / amber / red / none
    text: str
    reason: str
    url: str
    html: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The cell as one table cell, built once when the grid is (the grid is cached): six
        # hundred cells of six template nodes each were a third of the dashboard's rendering.
        if self.url:
            self.html = format_html(
                '<td class="text-center grid-{}"><a href="{}" title="{}">{}'
                '<span class="visually-hidden"> — {}</span></a></td>',
                self.colour,
                self.url,
                self.reason,
                self.text,
                self.reason,
            )
        else:
            self.html = format_html(
                '<td class="text-center grid-{}"><span title="{}">{}</span></td>', self.colour, self.reason, self.text
            )

    def __html__(self) -> str:
        return self.html

    __str__ = __html__  # what a template prints ({{ cell }} calls str() before it escapes)


def practice_grid(org, systems: list[engine.SystemReadiness]) -> tuple[list[tuple[str, str]], list[tuple]]:
    """The given systems × the six governance practices (one grouped query). The dashboard asks
    for the rows it shows only: every cell has two links and three translated phrases, ~25 ms of
    CPU per hundred systems.

    A cell is red when the practice's gate fails or none of its applicable controls is verified,
    amber when some are verified but not all, green when the gate passes and every applicable
    control is verified; with neither a gate nor an applicable control it shows "—"."""
    practices = [(p.value, str(Practice(p).label)) for p in GOVERNANCE_PRACTICES]
    counts = controls.practices_by_system([s.system_id for s in systems])
    gate_of = {gate.practice: gate.key for gate in _gates() if gate.practice}
    rows = []
    for system in systems:
        cells = []
        system_controls = reverse("assessments:system_controls", args=[org.slug, system.system_id])
        for practice, label in practices:
            count = counts.get((system.system_id, practice), controls.PracticeCount(0, 0))
            controls_url = f"{system_controls}?practice={practice}&status=open"
            gate = next((g for g in system.gates if g.key == gate_of.get(practice)), None)
            figures = _("%(v)s of %(a)s controls verified") % {"v": count.verified, "a": count.applicable}
            if gate is not None and not gate.passed:
                cells.append(GridCell("red", _("fails"), f"{label}: {gate.reason} {figures}.", gate.url))
            elif count.applicable == 0:
                if gate is None:
                    cells.append(GridCell("none", "—", f"{label}: {_('no control of this practice applies')}.", ""))
                else:
                    cells.append(GridCell("green", _("ready"), f"{label}: {gate.reason}", gate.url))
            elif count.verified == count.applicable:
                reason = f"{label}: {figures}." + (f" {gate.reason}" if gate else "")
                cells.append(GridCell("green", f"{count.verified}/{count.applicable}", reason, controls_url))
            elif count.verified == 0:
                cells.append(GridCell("red", f"0/{count.applicable}", f"{label}: {figures}.", controls_url))
            else:
                text = f"{count.verified}/{count.applicable}"
                cells.append(GridCell("amber", text, f"{label}: {figures}.", controls_url))
        rows.append((system, cells))
    return practices, rows


def _gates():
    from .gates import GATES

    return GATES


# --- Trends -------------------------------------------------------------------------------------

WIDTH, HEIGHT, PAD = 480, 160, 28


@dataclass
class Series:
    key: str
    label: str
    css: str
    values: list[float | None]
    points: str = ""


@dataclass
class Chart:
    title: str
    unit: str
    days: list[dt.date]
    series: list[Series]
    top: float = 100
    gridlines: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def table(self) -> list[tuple[dt.date, list]]:
        """The chart's data as rows (the accessible view beside the chart), weekly for long spans."""
        step = 1 if len(self.days) <= 31 else 7
        indexes = list(range(len(self.days) - 1, -1, -step))[::-1]
        return [(self.days[i], [s.values[i] for s in self.series]) for i in indexes]


def _layout(chart: Chart) -> Chart:
    """Polyline points in the SVG's coordinates (drawn with CSS classes; no inline style)."""
    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.unit != "%":
        chart.top = max([*values, 4])  # a few steps on the axis even for small counts
    # x follows the calendar (snapshots may be weekly further back), y the value.
    first = chart.days[0] if chart.days else None
    span = max((chart.days[-1] - first).days, 1) if first else 1
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(i):
        return PAD + inner_w * (chart.days[i] - first).days / span

    def y(v):
        return PAD + inner_h * (1 - v / chart.top)

    for s in chart.series:
        s.points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values) if v is not None)
    chart.gridlines = [(y(chart.top * f), f"{round(chart.top * f)}{chart.unit}") for f in (0, 0.5, 1)]
    if chart.days:
        marks = sorted({0, len(chart.days) // 2, len(chart.days) - 1})
        chart.x_labels = [(x(i), chart.days[i].strftime("%d %b")) for i in marks]
    return chart


def trends(org, days: int) -> list[Chart]:
    """Readiness per domain, overdue work and open high findings over `days`, read from the
    organisation's snapshots only (one query)."""
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    rows = ReadinessSnapshot.objects.filter(organisation=org, scope=Scope.ORGANISATION, day__gte=since).values(
        "day", "domain", "verified", "applicable", "overdue", "open_high_findings", "systems_ready", "systems_total"
    )
    by_day: dict[dt.date, dict[str, Any]] = {}
    for row in rows:
        by_day.setdefault(row["day"], {})[row["domain"]] = row
    span = sorted(by_day)
    labels = {Domain.SECURITY.value: str(Domain.SECURITY.label), Domain.SAFETY.value: str(Domain.SAFETY.label)}

    def series(metric) -> list[Series]:
        return [
            Series(d.value, labels[d.value], f"trend-{d.value}", [metric(by_day[day].get(d.value)) for day in span])
            for d in READINESS_DOMAINS
        ]

    def percent(row):
        return round(100 * row["verified"] / row["applicable"]) if row and row["applicable"] else None

    ready = Series(
        "ready",
        _("Audit-ready systems"),
        "trend-ready",
        [next(iter(by_day[day].values()))["systems_ready"] for day in span],
    )
    return [
        _layout(Chart(_("Control readiness"), "%", span, series(percent))),
        _layout(Chart(_("Overdue work"), "", span, series(lambda r: r["overdue"] if r else None))),
        _layout(
            Chart(
                _("Open high and critical findings"), "", span, series(lambda r: r["open_high_findings"] if r else None)
            )
        ),
        _layout(Chart(_("Audit-ready systems"), "", span, [ready])),
    ]
