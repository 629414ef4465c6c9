"""The readiness gates (DESIGN.md "Readiness"): one declared row per gate.

Each gate is a `Gate`: a key, a label, the governance practice it belongs to, and an `evaluate`
function that answers for *every* system of a `GateContext` at once, with a fixed number of
queries (one or two), never one per system. Its answer is a `GateResult` per system: pass or
fail, the reason in one plain sentence, and a link to the work that would change it. Adding a
gate is adding a row to `GATES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from assessments.models import Assessment, AssessmentStatus
from governance.models.library import Practice
from records.models import RecordStatus
from risks.models import Acceptance, RiskScenario
from threats.models import BLOCKING, FindingStatus, RedTeamExercise, RedTeamFinding, ThreatModel

from .controls import end_of

HIGH_RISK_SCORE = 10  # the risk register's "high" band starts here (risks.models.band)


@dataclass(frozen=True)
class GateResult:
    key: str
    label: str
    passed: bool
    reason: str
    url: str
    since: dt.date | None = None


@dataclass
class GateContext:
    """What every gate needs: the organisation, the systems asked about, and the day judged
    (today, or an earlier day when a snapshot is backfilled: `as_of`)."""

    org: Organisation
    system_ids: list[int]
    today: dt.date
    as_of: dt.date | None = None
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def end(self) -> dt.datetime | None:
        """Records created after this instant did not exist on the day judged."""
        return end_of(self.as_of) if self.as_of else None

    def existed(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}created_at__lte": self.end}) if self.end else Q()

    def url(self, name: str, *args) -> str:
        return reverse(name, args=[self.org.slug, *args])


@dataclass(frozen=True)
class Gate:
    key: str
    label: Any  # a lazily translated label
    practice: str | None
    evaluate: Callable[[GateContext, str], dict[int, GateResult]]


def day(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return date_format(value, "j M Y") if value else ""


def _approved_within_cadence(model, ctx: GateContext) -> dict[int, dict]:
    """Per system, the latest approval of the record type and the latest review date an approved
    version carries (a record is within cadence while that date is not past): one grouped query."""
    approved = Q(status=RecordStatus.APPROVED)
    if ctx.end:
        approved &= Q(approved_at__lte=ctx.end)
    rows = (
        model.objects.filter(organisation=ctx.org, ai_system_id__in=ctx.system_ids)
        .filter(approved)
        .order_by()
        .values("ai_system_id")
        .annotate(approved=Max("approved_at"), due=Max("next_review_due"))
    )
    return {row["ai_system_id"]: row for row in rows}


def _cadence_verdict(ctx, key, label, row, *, missing: str, url: str) -> GateResult:
    if row is None:
        return GateResult(key, label, False, missing, url)
    due = row["due"]
    if due is not None and due < ctx.today:
        return GateResult(
            key,
            label,
            False,
            _("The last approved version was due for review on %(due)s.") % {"due": day(due)},
            url,
            since=due,
        )
    return GateResult(
        key,
        label,
        True,
        _("Approved on %(approved)s; next review due %(due)s.") % {"approved": day(row["approved"]), "due": day(due)},
        url,
    )


def threat_model_gate(ctx: GateContext, label: str) -> dict[int, GateResult]:
    rows = _approved_within_cadence(ThreatModel, ctx)
    return {
        pk: _cadence_verdict(
            ctx,
            "threat_model",
            label,
            rows.get(pk),
            missing=_("No approved threat model."),
            url=ctx.url("threats:system_threat_models", pk),
        )
        for pk in ctx.system_ids
    }


def red_team_gate(ctx: GateContext, label: str) -> dict[int, GateResult]:
    """Within cadence (the exercise's review date: a cadence after it ended) and no open high or
    critical finding on the latest version of any of the system's exercises: two queries."""
    rows = _approved_within_cadence(RedTeamExercise, ctx)
    findings: dict[int, list] = {}
    blocking = (
        RedTeamFinding.objects.filter(
            organisation=ctx.org,
            exercise__ai_system_id__in=ctx.system_ids,
            exercise__is_latest=True,
            severity__in=BLOCKING,
            status=FindingStatus.OPEN,
        )
        .filter(ctx.existed())
        .order_by("exercise__ai_system_id", "created_at", "pk")
        .values("pk", "title", "severity", "created_at", system_id=F("exercise__ai_system_id"))
    )
    for finding in blocking:
        findings.setdefault(finding["system_id"], []).append(finding)
    results = {}
    for pk in ctx.system_ids:
        url = ctx.url("threats:system_exercises", pk)
        open_findings = findings.get(pk)
        if open_findings:
            oldest = open_findings[0]
            more = len(open_findings) - 1
            reason = _("An open %(severity)s finding, “%(title)s”, since %(since)s.") % {
                "severity": oldest["severity"],
                "title": oldest["title"],
                "since": day(oldest["created_at"]),
            }
            if more:
                reason += " " + _("%(n)s more open high or critical.") % {"n": more}
            results[pk] = GateResult(
                "red_team",
                label,
                False,
                reason,
                ctx.url("threats:finding_edit", oldest["pk"]),
                since=oldest["created_at"].date(),
            )
            continue
        results[pk] = _cadence_verdict(
            ctx, "red_team", label, rows.get(pk), missing=_("No approved red-team exercise."), url=url
        )
    return results


def risk_gate(ctx: GateContext, label: str) -> dict[int, GateResult]:
    """No risk (latest version) whose residual score is high or critical and that is not accepted:
    one query listing the offending risks."""
    risks = (
        RiskScenario.objects.for_org(ctx.org)
        .latest()
        .filter(ai_system_id__in=ctx.system_ids)
        .filter(ctx.existed())
        .alias_score()
        .filter(score__gte=HIGH_RISK_SCORE)
        .exclude(acceptance=Acceptance.ACCEPTED)
        .order_by("ai_system_id", "-score", "created_at", "pk")
        .values("pk", "title", "ai_system_id", "created_at", "residual_likelihood", "residual_impact")
    )
    offending: dict[int, list[dict]] = {}
    for risk in risks:
        offending.setdefault(risk["ai_system_id"], []).append(risk)
    results = {}
    for pk in ctx.system_ids:
        found = offending.get(pk)
        if not found:
            results[pk] = GateResult(
                "risks",
                label,
                True,
                _("No high residual risk is left without acceptance."),
                ctx.url("risks:system_risks", pk),
            )
            continue
        worst = found[0]
        reason = _("“%(title)s” has a residual score of %(score)s and is not accepted.") % {
            "title": worst["title"],
            "score": worst["residual_likelihood"] * worst["residual_impact"],
        }
        if len(found) > 1:
            reason += " " + _("%(n)s more high risks are open.") % {"n": len(found) - 1}
        results[pk] = GateResult(
            "risks", label, False, reason, ctx.url("risks:risk_detail", worst["pk"]), since=worst["created_at"].date()
        )
    return results


def assessment_gate(ctx: GateContext, label: str) -> dict[int, GateResult]:
    """The latest assessment of the system is approved: one query (a subquery per column)."""
    from governance.models import AISystem

    latest = Assessment.objects.filter(ai_system=OuterRef("pk")).filter(ctx.existed()).order_by("-created_at", "-pk")
    rows = (
        AISystem.objects.filter(pk__in=ctx.system_ids)
        .annotate(
            latest_pk=Subquery(latest.values("pk")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_approved_at=Subquery(latest.values("approved_at")[:1]),
            latest_created_at=Subquery(latest.values("created_at")[:1]),
        )
        .values("pk", "latest_pk", "latest_status", "latest_approved_at", "latest_created_at")
    )
    results = {}
    for row in rows:
        pk = row["pk"]
        if row["latest_pk"] is None:
            results[pk] = GateResult(
                "assessment", label, False, _("No assessment yet."), ctx.url("assessments:system_assessment", pk)
            )
            continue
        url = ctx.url("assessments:assessment_detail", row["latest_pk"])
        approved_at = row["latest_approved_at"]
        approved = row["latest_status"] == AssessmentStatus.APPROVED and (
            ctx.end is None or (approved_at is not None and approved_at <= ctx.end)
        )
        if approved:
            results[pk] = GateResult(
                "assessment", label, True, _("Latest assessment approved on %(d)s.") % {"d": day(approved_at)}, url
            )
        else:
            status = AssessmentStatus(row["latest_status"]).label if not ctx.end else _("not yet approved then")
            results[pk] = GateResult(
                "assessment",
                label,
                False,
                _("The latest assessment, started %(d)s, is not approved (%(status)s).")
                % {"d": day(row["latest_created_at"]), "status": str(status).lower()},
                url,
                since=row["latest_created_at"].date(),
            )
    return results


def alignment_gate(ctx: GateContext, label: str) -> dict[int, GateResult]:
    """Alignment review approved (or approved with conditions, none overdue) within cadence: the
    alignment app's own judgement (`alignment.standing`, two queries)."""
    from alignment.standing import standing

    answers = standing(ctx.system_ids, today=ctx.today)
    return {
        pk: GateResult(
            "alignment",
            label,
            answer.passes,
            answer.reason,
            _first_url(ctx, ("alignment:system_reviews", pk), ("governance:system_detail", pk)),
        )
        for pk, answer in answers.items()
    }


def ir_plan_gate(ctx: GateContext, label: str) -> dict[int, GateResult]:
    """An approved IR plan covering the system, within its review cadence, with a tabletop
    exercise within the tabletop cadence: the response app's judgement (`response.coverage`)."""
    from response.coverage import coverage

    answers = coverage(ctx.system_ids, today=ctx.today)
    results = {}
    for pk, answer in answers.items():
        if answer.plan is not None:
            url = ctx.url("response:plan_detail", answer.plan.pk)
        else:
            url = ctx.url("response:system_plans", pk)
        results[pk] = GateResult("ir_plan", label, answer.ok, answer.reason, url)
    return results


def _first_url(ctx: GateContext, *candidates: tuple) -> str:
    """The first of the named pages that exists (a record app may add its pages later)."""
    from django.urls import NoReverseMatch

    for name, *args in candidates:
        try:
            return ctx.url(name, *args)
        except NoReverseMatch:
            continue
    return ""


GATES: list[Gate] = [
    Gate("threat_model", gettext_lazy("Threat model"), Practice.THREAT_MODELING, threat_model_gate),
    Gate("red_team", gettext_lazy("Red-team exercise"), Practice.RED_TEAMING, red_team_gate),
    Gate("alignment", gettext_lazy("Alignment review"), Practice.ALIGNMENT_REVIEW, alignment_gate),
    Gate("ir_plan", gettext_lazy("Incident-response plan"), Practice.INCIDENT_RESPONSE, ir_plan_gate),
    Gate("risks", gettext_lazy("Risk register"), None, risk_gate),
    Gate("assessment", gettext_lazy("Assessment"), None, assessment_gate),
]


def evaluate_all(ctx: GateContext) -> dict[int, list[GateResult]]:
    """Every gate for every system of `ctx`: a fixed number of queries (the gates' own)."""
    results: dict[int, list[GateResult]] = {pk: [] for pk in ctx.system_ids}
    for gate in GATES:
        answers = gate.evaluate(ctx, str(gate.label))
        for pk in ctx.system_ids:
            results[pk].append(answers[pk])
    return results
