"""Control readiness, computed in the database (one grouped query per question asked).

The rule (DESIGN.md): per domain, control readiness is verified / applicable, where an approved
not-applicable assignment leaves the denominator; implemented shows separately as "awaiting
verification"; overdue means past its due date and not decided. Assignments of domain `both`
count in the security and in the safety figures. Retired assignments count nowhere.

Every function takes an optional `as_of` date. Without it the assignments' current statuses
count; with it (snapshot backfills) each assignment's state on that day is rebuilt from the
timestamps it carries (created, implemented, verified, not-applicable approved, retired), so a
day in the past is counted as it stood then, except for changes that were later undone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Organisation, Team
from assessments.models import DECIDED, AssignmentStatus, ControlAssignment
from audit.versions import cached_for_org
from core.choices import Domain

READINESS_DOMAINS = (Domain.SECURITY, Domain.SAFETY)
S = AssignmentStatus


@dataclass(frozen=True)
class States:
    """The Q objects that say which state an assignment is in (now, or on an earlier day)."""

    active: Q
    verified: Q
    implemented: Q
    approved_na: Q
    na_pending: Q
    today: dt.date

    @property
    def decided(self) -> Q:
        return self.verified | self.approved_na

    @property
    def overdue(self) -> Q:
        return ~self.decided & Q(due_date__lt=self.today)


def states(as_of: dt.date | None = None) -> States:
    if as_of is None:
        return States(
            active=Q(retired_at__isnull=True),
            verified=Q(status=S.VERIFIED),
            implemented=Q(status=S.IMPLEMENTED),
            approved_na=Q(status=S.NOT_APPLICABLE, na_approved_at__isnull=False),
            na_pending=Q(status=S.NOT_APPLICABLE, na_approved_at__isnull=True),
            today=timezone.localdate(),
        )
    end = end_of(as_of)
    verified = Q(status=S.VERIFIED) & (Q(verified_at__lte=end) | Q(verified_at__isnull=True, updated_at__lte=end))
    approved_na = Q(status=S.NOT_APPLICABLE, na_approved_at__lte=end)
    return States(
        active=Q(created_at__lte=end) & (Q(retired_at__isnull=True) | Q(retired_at__gt=end)),
        verified=verified,
        implemented=Q(status__in=[S.IMPLEMENTED, S.VERIFIED], implemented_at__lte=end) & ~verified,
        approved_na=approved_na,
        na_pending=Q(status=S.NOT_APPLICABLE, na_proposed_at__lte=end) & ~approved_na,
        today=as_of,
    )


def end_of(day: dt.date) -> dt.datetime:
    """The last instant of `day` in the current time zone (timestamps up to it count for it)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def in_domain(domain: str, prefix: str = "control__") -> Q:
    return Q(**{f"{prefix}domain__in": [domain, Domain.BOTH]})


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

    def get_domain_display(self) -> str:
        return str(Domain(self.domain).label)


@dataclass
class ControlReadiness:
    domains: list[DomainReadiness]
    total: int
    decided: int
    awaiting_verification: int
    overdue: int
    na_pending: int

    @property
    def all_decided(self) -> bool:
        return self.total > 0 and self.decided == self.total

    def domain(self, name: str) -> DomainReadiness:
        return next(d for d in self.domains if d.domain == name)


def aggregates(s: States) -> dict:
    aggregates = {
        "total": Count("pk"),
        "decided": Count("pk", filter=s.decided),
        "awaiting": Count("pk", filter=s.implemented),
        "overdue": Count("pk", filter=s.overdue),
        "na_pending": Count("pk", filter=s.na_pending),
    }
    for d in READINESS_DOMAINS:
        aggregates[f"{d}_applicable"] = Count("pk", filter=in_domain(d) & ~s.approved_na)
        aggregates[f"{d}_verified"] = Count("pk", filter=in_domain(d) & s.verified)
        aggregates[f"{d}_awaiting"] = Count("pk", filter=in_domain(d) & s.implemented)
        aggregates[f"{d}_overdue"] = Count("pk", filter=in_domain(d) & s.overdue)
    return aggregates


EMPTY_ROW = dict.fromkeys(
    (
        "total",
        "decided",
        "awaiting",
        "overdue",
        "na_pending",
        *(f"{d}_{k}" for d in READINESS_DOMAINS for k in ("applicable", "verified", "awaiting", "overdue")),
    ),
    0,
)


def from_row(row: dict) -> ControlReadiness:
    return ControlReadiness(
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


def system_readiness(system, as_of: dt.date | None = None) -> ControlReadiness:
    """Control readiness of one system's active assignments: one query."""
    s = states(as_of)
    row = ControlAssignment.objects.filter(ai_system=system).filter(s.active).aggregate(**aggregates(s))
    return from_row(row)


def readiness_by_system(queryset, as_of: dt.date | None = None) -> dict[int, ControlReadiness]:
    """Control readiness of many systems at once (`queryset` of assignments): one grouped query.
    Systems without assignments are missing from the answer (see `EMPTY_ROW`)."""
    s = states(as_of)
    rows = queryset.filter(s.active).order_by().values("ai_system_id").annotate(**aggregates(s))
    return {row["ai_system_id"]: from_row(row) for row in rows}


def organisation_readiness(org: Organisation, as_of: dt.date | None = None) -> ControlReadiness:
    """The whole organisation's control readiness (every active assignment): one query."""
    s = states(as_of)
    return from_row(ControlAssignment.objects.for_org(org).filter(s.active).aggregate(**aggregates(s)))


@dataclass(frozen=True)
class PracticeCount:
    verified: int
    applicable: int


def practices_by_system(system_ids, as_of: dt.date | None = None) -> dict[tuple[int, str], PracticeCount]:
    """Verified / applicable per (system, governance practice): one grouped query."""
    s = states(as_of)
    rows = (
        ControlAssignment.objects.filter(ai_system_id__in=system_ids)
        .filter(s.active)
        .order_by()
        .values("ai_system_id", "control__practice")
        .annotate(applicable=Count("pk", filter=~s.approved_na), verified=Count("pk", filter=s.verified))
    )
    return {
        (row["ai_system_id"], row["control__practice"]): PracticeCount(row["verified"], row["applicable"])
        for row in rows
    }


# --- Team load ----------------------------------------------------------------------------------


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
        "not_started": Count("pk", filter=Q(status=S.NOT_STARTED)),
        "in_progress": Count("pk", filter=Q(status=S.IN_PROGRESS)),
        "awaiting": Count("pk", filter=Q(status=S.IMPLEMENTED)),
        "na_pending": Count("pk", filter=Q(status=S.NOT_APPLICABLE, na_approved_at__isnull=True)),
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
        active.filter(cosigning_team_id__in=ids, status=S.IMPLEMENTED, cosigned_by__isnull=True)
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
