"""Taking a day's readiness snapshot: an idempotent upsert per (organisation, day, subject, domain).

`take(org, day)` computes the organisation's, each system's and each team's figures per domain
with a fixed number of grouped queries and writes them with one bulk upsert; running it twice for
the same day (or again after a crash halfway) leaves the same rows. Today's snapshot counts the
records' current states; an earlier day (a backfill) is rebuilt from their timestamps
(`controls.states(as_of)`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Organisation, Team
from assessments.models import ControlAssignment
from risks.models import Acceptance, RiskScenario
from threats.models import BLOCKING, FindingStatus, RedTeamFinding

from . import engine
from .controls import READINESS_DOMAINS, end_of, in_domain, states
from .gates import HIGH_RISK_SCORE
from .models import ReadinessSnapshot, Scope

COUNTED = [
    "verified",
    "applicable",
    "awaiting_verification",
    "overdue",
    "open_high_findings",
    "risks_above_appetite",
    "systems_ready",
    "systems_total",
]


def open_high_findings(org: Organisation, as_of: dt.date | None = None):
    """Open high and critical red-team findings on the latest version of each exercise."""
    rows = RedTeamFinding.objects.filter(
        organisation=org, exercise__is_latest=True, severity__in=BLOCKING, status=FindingStatus.OPEN
    )
    return rows.filter(created_at__lte=end_of(as_of)) if as_of else rows


def risks_above_appetite(org: Organisation, as_of: dt.date | None = None):
    """Latest versions of risks rated high or critical (residual) and not accepted."""
    rows = RiskScenario.objects.for_org(org).latest().alias_score().filter(score__gte=HIGH_RISK_SCORE)
    if as_of is None:
        return rows.exclude(acceptance=Acceptance.ACCEPTED)
    end = end_of(as_of)
    return rows.filter(created_at__lte=end).exclude(acceptance=Acceptance.ACCEPTED, accepted_at__lte=end)


def _per_domain(queryset, group: str, prefix: str = "") -> dict[tuple[int, str], int]:
    """Counts of `queryset` per (`group` value, domain); rows of domain `both` count in each."""
    aggregates = {d.value: Count("pk", filter=in_domain(d, prefix)) for d in READINESS_DOMAINS}
    counts = {}
    for row in queryset.order_by().values(group).annotate(**aggregates):
        for d in READINESS_DOMAINS:
            counts[(row[group], d.value)] = row[d.value]
    return counts


def _team_controls(org: Organisation, as_of: dt.date | None) -> dict[tuple[int, str], dict]:
    s = states(as_of)
    aggregates = {}
    for d in READINESS_DOMAINS:
        mine = in_domain(d)
        aggregates[f"{d}_verified"] = Count("pk", filter=mine & s.verified)
        aggregates[f"{d}_applicable"] = Count("pk", filter=mine & ~s.approved_na)
        aggregates[f"{d}_awaiting"] = Count("pk", filter=mine & s.implemented)
        aggregates[f"{d}_overdue"] = Count("pk", filter=mine & s.overdue)
    rows = (
        ControlAssignment.objects.for_org(org)
        .filter(s.active, owner_team__isnull=False)
        .order_by()
        .values("owner_team_id")
        .annotate(**aggregates)
    )
    return {
        (row["owner_team_id"], d.value): {
            "verified": row[f"{d}_verified"],
            "applicable": row[f"{d}_applicable"],
            "awaiting_verification": row[f"{d}_awaiting"],
            "overdue": row[f"{d}_overdue"],
        }
        for row in rows
        for d in READINESS_DOMAINS
    }


def compute(org: Organisation, day: dt.date) -> list[ReadinessSnapshot]:
    """The day's rows, unsaved (a fixed number of queries)."""
    as_of = None if day >= timezone.localdate() else day
    readiness = engine.for_organisation(org, as_of=as_of)
    findings = _per_domain(open_high_findings(org, as_of), "exercise__ai_system_id", prefix="")
    risks = _per_domain(risks_above_appetite(org, as_of), "ai_system_id", prefix="")
    team_risks = _per_domain(risks_above_appetite(org, as_of), "owner_team_id", prefix="")
    team_controls = _team_controls(org, as_of)
    teams = list(Team.objects.for_org(org).values_list("pk", flat=True))

    rows: list[ReadinessSnapshot] = []
    ready_total = len(readiness.ready)
    for d in READINESS_DOMAINS:
        domain = d.value
        org_row = ReadinessSnapshot(
            organisation=org,
            day=day,
            scope=Scope.ORGANISATION,
            subject="organisation",
            domain=domain,
            systems_ready=ready_total,
            systems_total=readiness.total,
        )
        for system in readiness.systems:
            figures = system.domain(domain)
            row = ReadinessSnapshot(
                organisation=org,
                day=day,
                scope=Scope.SYSTEM,
                subject=f"system:{system.system_id}",
                ai_system_id=system.system_id,
                domain=domain,
                verified=figures.verified,
                applicable=figures.applicable,
                awaiting_verification=figures.awaiting_verification,
                overdue=figures.overdue,
                open_high_findings=findings.get((system.system_id, domain), 0),
                risks_above_appetite=risks.get((system.system_id, domain), 0),
                systems_ready=int(system.audit_ready),
                systems_total=1,
            )
            rows.append(row)
            for name in COUNTED[:6]:
                setattr(org_row, name, getattr(org_row, name) + getattr(row, name))
        rows.append(org_row)
        for team_id in teams:
            counts = team_controls.get((team_id, domain), {})
            rows.append(
                ReadinessSnapshot(
                    organisation=org,
                    day=day,
                    scope=Scope.TEAM,
                    subject=f"team:{team_id}",
                    team_id=team_id,
                    domain=domain,
                    risks_above_appetite=team_risks.get((team_id, domain), 0),
                    **counts,
                )
            )
    return rows


def take(org: Organisation, day: dt.date | None = None) -> int:
    """Write the day's snapshot (today by default) as an upsert; returns the number of rows."""
    day = day or timezone.localdate()
    rows = compute(org, day)
    with transaction.atomic():
        ReadinessSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["organisation", "day", "subject", "domain"],
            update_fields=["scope", "ai_system", "team", *COUNTED, "taken_at"],
            batch_size=500,
        )
        # A system retired or a team removed since the last run leaves no stale row behind.
        ReadinessSnapshot.objects.filter(organisation=org, day=day).exclude(
            Q(subject__in=[row.subject for row in rows])
        ).delete()
    return len(rows)
