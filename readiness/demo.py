"""Six months of readiness history for the demo (runs last of BASTION_DEMO_SEEDERS).

The seeders before this one create everything "now". This one spreads the demo's work over the
past six months, so the trend charts show a lived-in organisation: each assessment starts months
ago, its assignments are implemented and verified one after another since, and Support Chatbot
is re-assessed two months ago, which adds controls and makes its readiness dip before it climbs
again. Only timestamps are moved (when a row was created, implemented, verified, approved); no
audited field changes, and the audit trail itself is left as written (its hash chain covers the
time of every event). Then it takes a snapshot for every week of the six months and every day of
the last two weeks, rebuilt from those timestamps (`snapshots.take` for a past day);
`BASTION_DEMO_SNAPSHOT_DAYS` caps their number (the tests take three).

Idempotent: skipped when the organisation already has snapshots.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from assessments.models import Assessment, AssignmentStatus, ControlAssignment
from core.demo import DemoContext
from governance.models import AISystem
from risks.models import RiskScenario
from threats.models import RedTeamExercise, RedTeamFinding, ThreatModel

from .models import ReadinessSnapshot
from .snapshots import take

HISTORY_DAYS = 182
DAILY_DAYS = 14
REASSESSED = "Support Chatbot"  # its re-assessment two months ago added controls: the dip
REASSESSED_DAYS_AGO = 60


def _at(days_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _backdate_assessments(ctx: DemoContext) -> dict[int, float]:
    """Each system's assessment started months ago (staggered); returns days ago per system."""
    started: dict[int, float] = {}
    for n, assessment in enumerate(Assessment.objects.filter(organisation=ctx.org).order_by("ai_system__name")):
        days = 175 - 25 * n
        started[assessment.ai_system_id] = days
        Assessment.objects.filter(pk=assessment.pk).update(
            created_at=_at(days),
            plan_confirmed_at=_at(days - 5) if assessment.plan_confirmed_at else None,
            submitted_at=_at(3) if assessment.submitted_at else None,
            approved_at=_at(2) if assessment.approved_at else None,
        )
    return started


def _backdate_assignments(ctx: DemoContext, started: dict[int, float]) -> None:
    """Assignments appear when their plan was confirmed and are finished one after another since:
    the k-th of n finished assignments of a system is verified k/n of the way from then to now."""
    reassessed = ctx.systems.get(REASSESSED)
    rows = list(
        ControlAssignment.objects.filter(organisation=ctx.org)
        .order_by("ai_system_id", "pk")
        .values("pk", "ai_system_id", "status", "implemented_at", "verified_at", "na_approved_at", "na_proposed_at")
    )
    by_system: dict[int, list] = {}
    for row in rows:
        by_system.setdefault(row["ai_system_id"], []).append(row)
    for system_id, assignments in by_system.items():
        start = started.get(system_id, 120) - 5
        # The re-assessed system: the second half of its assignments came with the re-assessment.
        late = set()
        if reassessed is not None and system_id == reassessed.pk:
            late = {a["pk"] for a in assignments[len(assignments) // 2 :]}
        finished = [
            a["pk"] for a in assignments if a["status"] in (AssignmentStatus.VERIFIED, AssignmentStatus.NOT_APPLICABLE)
        ]
        for a in assignments:
            created = REASSESSED_DAYS_AGO if a["pk"] in late else start
            changes: dict = {"created_at": _at(created)}
            if a["pk"] in finished:
                k = finished.index(a["pk"]) + 1
                first = REASSESSED_DAYS_AGO - 5 if a["pk"] in late else created - 5
                done = max(first - (first - 1) * k / len(finished), 1)
                if a["verified_at"]:
                    changes["verified_at"] = _at(done)
                if a["implemented_at"]:
                    changes["implemented_at"] = _at(done + 4)
                if a["na_approved_at"]:
                    changes["na_approved_at"] = _at(done)
                if a["na_proposed_at"]:
                    changes["na_proposed_at"] = _at(done + 2)
            elif a["implemented_at"]:
                changes["implemented_at"] = _at(min(created - 3, 10))
            ControlAssignment.objects.filter(pk=a["pk"]).update(**changes)


def _backdate_records(ctx: DemoContext) -> None:
    """Records were written some weeks before their approval; findings date from their exercise."""
    for model in (ThreatModel, RiskScenario, RedTeamExercise):
        model.objects.filter(organisation=ctx.org).update(created_at=_at(40))
    for finding in RedTeamFinding.objects.filter(organisation=ctx.org).values("pk", "exercise__ends_on"):
        ends = finding["exercise__ends_on"]
        when = timezone.make_aware(dt.datetime.combine(ends, dt.time(15))) if ends else _at(20)
        RedTeamFinding.objects.filter(pk=finding["pk"]).update(created_at=min(when, timezone.now()))
    # Assessments approved in the demo count from their approval, not from "now" twice over.
    Assessment.objects.filter(organisation=ctx.org, approved_at__isnull=False, approved_at__lt=F("created_at")).update(
        approved_at=F("created_at")
    )


def seed(ctx: DemoContext) -> None:
    if ctx.org is None:
        return
    if ReadinessSnapshot.objects.filter(organisation=ctx.org).exists():
        ctx.log("  readiness: history already present")
        return
    # The inventory predates the history, or the past days would count no systems.
    AISystem.objects.filter(organisation=ctx.org, created_at__gt=_at(HISTORY_DAYS)).update(
        created_at=_at(HISTORY_DAYS + 10)
    )
    started = _backdate_assessments(ctx)
    _backdate_assignments(ctx, started)
    _backdate_records(ctx)
    for day in snapshot_days(timezone.localdate(), settings.BASTION_DEMO_SNAPSHOT_DAYS):
        take(ctx.org, day)
    ctx.log(f"  readiness: six months of history, {settings.BASTION_DEMO_SNAPSHOT_DAYS} days of snapshots")


def snapshot_days(today: dt.date, limit: int) -> list[dt.date]:
    """Every week of the six months and every day of the last two weeks, thinned evenly to at most
    `limit` days (always keeping the oldest and today)."""
    days = sorted(
        {today - dt.timedelta(days=n) for n in range(0, HISTORY_DAYS, 7)}
        | {today - dt.timedelta(days=n) for n in range(DAILY_DAYS)}
    )
    if len(days) <= limit:
        return days
    step = (len(days) - 1) / max(limit - 1, 1)
    return sorted({days[round(i * step)] for i in range(limit)})
