"""Readiness v1, computed in the database (one aggregate query per question asked).

The rule (DESIGN.md): per domain, control readiness is verified / applicable, where an approved
not-applicable assignment leaves the denominator; implemented shows separately as "awaiting
verification"; overdue means past its due date and not decided. Assignments of domain `both`
count in the security and in the safety figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Organisation, Team
from audit.models import ChainHead
from core.choices import Domain

from .models import DECIDED, AssignmentStatus, ControlAssignment

READINESS_DOMAINS = (Domain.SECURITY, Domain.SAFETY)
APPROVED_NA = Q(status=AssignmentStatus.NOT_APPLICABLE, na_approved_at__isnull=False)


@dataclass
class DomainReadiness:
    domain: str
    verified: int
    applicable: int
    awaiting_verification: int
    overdue: int

    @property
    def percent(self) -> int | None:
        """None when no control of the domain applies: there is nothing to be ready for."""
        return round(100 * self.verified / self.applicable) if self.applicable else None


@dataclass
class SystemReadiness:
    domains: list[DomainReadiness]
    total: int
    decided: int
    awaiting_verification: int
    overdue: int
    na_pending: int

    @property
    def all_decided(self) -> bool:
        return self.total > 0 and self.decided == self.total


def _in(domain: str) -> Q:
    return Q(control__domain__in=[domain, Domain.BOTH])


def _readiness_aggregates(today) -> dict:
    overdue = ~DECIDED & Q(due_date__lt=today)
    implemented = Q(status=AssignmentStatus.IMPLEMENTED)
    aggregates = {
        "total": Count("pk"),
        "decided": Count("pk", filter=DECIDED),
        "awaiting": Count("pk", filter=implemented),
        "overdue": Count("pk", filter=overdue),
        "na_pending": Count("pk", filter=Q(status=AssignmentStatus.NOT_APPLICABLE, na_approved_at__isnull=True)),
    }
    for d in READINESS_DOMAINS:
        aggregates[f"{d}_applicable"] = Count("pk", filter=_in(d) & ~APPROVED_NA)
        aggregates[f"{d}_verified"] = Count("pk", filter=_in(d) & Q(status=AssignmentStatus.VERIFIED))
        aggregates[f"{d}_awaiting"] = Count("pk", filter=_in(d) & implemented)
        aggregates[f"{d}_overdue"] = Count("pk", filter=_in(d) & overdue)
    return aggregates


def _system_readiness(row: dict) -> SystemReadiness:
    return SystemReadiness(
        domains=[
            DomainReadiness(
                d.value, row[f"{d}_verified"], row[f"{d}_applicable"], row[f"{d}_awaiting"], row[f"{d}_overdue"]
            )
            for d in READINESS_DOMAINS
        ],
        total=row["total"],
        decided=row["decided"],
        awaiting_verification=row["awaiting"],
        overdue=row["overdue"],
        na_pending=row["na_pending"],
    )


def system_readiness(system) -> SystemReadiness:
    """Readiness of one system's active assignments: one query."""
    row = (
        ControlAssignment.objects.filter(ai_system=system)
        .active()
        .aggregate(**_readiness_aggregates(timezone.localdate()))
    )
    return _system_readiness(row)


def readiness_by_system(queryset) -> dict[int, SystemReadiness]:
    """Readiness of many systems at once (`queryset` of assignments): one grouped query."""
    rows = queryset.active().order_by().values("ai_system_id").annotate(**_readiness_aggregates(timezone.localdate()))
    return {row["ai_system_id"]: _system_readiness(row) for row in rows}


@dataclass
class TeamLoad:
    team: Team
    open: int
    not_started: int
    in_progress: int
    awaiting_verification: int
    na_pending: int
    overdue: int
    awaiting_cosign: int


def _load_aggregates(today) -> dict:
    """Counts over one owner team's assignments (co-signatures waiting are counted for the
    co-signing team in a second grouped query, see teams_load)."""
    undecided = ~DECIDED
    return {
        "open": Count("pk", filter=undecided),
        "not_started": Count("pk", filter=Q(status=AssignmentStatus.NOT_STARTED)),
        "in_progress": Count("pk", filter=Q(status=AssignmentStatus.IN_PROGRESS)),
        "awaiting": Count("pk", filter=Q(status=AssignmentStatus.IMPLEMENTED)),
        "na_pending": Count("pk", filter=Q(status=AssignmentStatus.NOT_APPLICABLE, na_approved_at__isnull=True)),
        "overdue": Count("pk", filter=undecided & Q(due_date__lt=today)),
    }


def teams_load(teams: list[Team]) -> list[TeamLoad]:
    """The work each team holds now: two grouped queries however many teams and assignments."""
    ids = [t.pk for t in teams]
    today = timezone.localdate()
    active = ControlAssignment.objects.active().order_by()
    owned = {
        row["owner_team_id"]: row
        for row in active.filter(owner_team_id__in=ids).values("owner_team_id").annotate(**_load_aggregates(today))
    }
    cosign = dict(
        active.filter(cosigning_team_id__in=ids, status=AssignmentStatus.IMPLEMENTED, cosigned_by__isnull=True)
        .values("cosigning_team_id")
        .annotate(n=Count("pk"))
        .values_list("cosigning_team_id", "n")
    )
    empty = dict.fromkeys(["open", "not_started", "in_progress", "awaiting", "na_pending", "overdue"], 0)
    loads = []
    for team in teams:
        row = owned.get(team.pk, empty)
        loads.append(
            TeamLoad(
                team,
                row["open"],
                row["not_started"],
                row["in_progress"],
                row["awaiting"],
                row["na_pending"],
                row["overdue"],
                cosign.get(team.pk, 0),
            )
        )
    return loads


def org_teams_load(org: Organisation, teams: list[Team]) -> list[TeamLoad]:
    """`teams_load` of the organisation's teams, cached until its data next changes.

    The two grouped queries read every active assignment of the organisation (~80 ms at
    100,000). Every change to governance data appends to the organisation's audit chain, so the
    chain head's sequence number is a version of the data: the counts are kept under it (and
    today's date, for "overdue"), and a page reads one row instead of scanning them all.
    """
    counts = cached_for_org(org, "teams-load", lambda: {load.team.pk: _load_counts(load) for load in teams_load(teams)})
    empty = (0,) * 7
    return [TeamLoad(team, *counts.get(team.pk, empty)) for team in teams]


def team_load_cached(org: Organisation, team: Team) -> tuple[TeamLoad, list[dict]]:
    """One team's load and its people's open work (the team page's panel), cached like
    org_teams_load: the busiest team holds ~18,000 assignments at scale 1."""

    def compute():
        (load,) = teams_load([team])
        return _load_counts(load), assignee_load(team)

    counts, people = cached_for_org(org, f"team-load-{team.pk}", compute)
    return TeamLoad(team, *counts), people


def cached_for_org(org: Organisation, name: str, compute):
    """`compute()`, kept in the cache under the organisation's data version (the audit chain
    head's sequence number, which every change moves) and today's date."""
    version = ChainHead.objects.filter(organisation=org).values_list("seq", flat=True).first() or 0
    key = f"{name}:{org.pk}:{version}:{timezone.localdate().isoformat()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 24 * 3600)
    return value


def _load_counts(load: TeamLoad) -> tuple[int, ...]:
    return (
        load.open,
        load.not_started,
        load.in_progress,
        load.awaiting_verification,
        load.na_pending,
        load.overdue,
        load.awaiting_cosign,
    )


def assignee_load(team: Team) -> list[dict]:
    """Open assignments per person in a team (unassigned included): one grouped query."""
    return list(
        ControlAssignment.objects.active()
        .filter(owner_team=team)
        .exclude(DECIDED)
        .order_by()
        .values("assignee_id", "assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate())))
        .order_by("-open", "assignee__username")
    )
