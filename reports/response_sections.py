"""Audit pack sections for the safety and response records: alignment reviews (with their
findings and conditions), incident-response plans with playbooks and tabletop exercises, and
incidents. Each section runs a fixed number of queries whatever the number of systems."""

from __future__ import annotations

from django.db.models import Count

from alignment.models import AlignmentFinding, AlignmentReview, ReviewCondition
from incidents.models import Incident
from records.models import FollowUp
from response.models import IncidentResponsePlan, Playbook, TabletopExercise

from .documents import Block, Heading, Paragraph, Table, Value
from .scope import PackScope, signed


def alignment_reviews(scope: PackScope) -> list[Block]:
    reviews = list(
        AlignmentReview.objects.latest()
        .filter(organisation=scope.organisation, ai_system_id__in=scope.system_ids)
        .select_related("ai_system", "decided_by")
        .annotate(finding_count=Count("findings", distinct=True), condition_count=Count("conditions", distinct=True))
        .order_by("ai_system__name", "title", "pk")
    )
    rows: list[list[Value]] = [
        [
            r.ai_system.name,
            r.title,
            r.record_version,
            r.get_status_display(),
            r.get_decision_display() if r.decision else "",
            signed(r.decided_by, r.decided_at),
            r.next_review_due,
            r.finding_count,
            r.condition_count,
        ]
        for r in reviews
    ]
    review_ids = [r.pk for r in reviews]
    findings = (
        AlignmentFinding.objects.filter(review__in=review_ids)
        .select_related("review__ai_system")
        .order_by("review__ai_system__name", "review_id", "pk")
    )
    finding_rows: list[list[Value]] = [
        [f.review.ai_system.name, str(f.review), f.get_scope_area_display(), f.title, f.get_severity_display()]
        for f in findings
    ]
    conditions = list(
        ReviewCondition.objects.filter(review__in=review_ids)
        .select_related("review__ai_system", "follow_up__control", "follow_up__owner_team")
        .order_by("review__ai_system__name", "review_id", "pk")
    )
    still_open = set(
        FollowUp.objects.filter(pk__in=[c.follow_up_id for c in conditions]).open().values_list("pk", flat=True)
    )
    condition_rows: list[list[Value]] = [
        [
            c.review.ai_system.name,
            str(c.review),
            c.follow_up.title or (c.follow_up.control.ref if c.follow_up.control else ""),
            c.follow_up.owner_team.name if c.follow_up.owner_team else "",
            c.follow_up.due_date,
            "open" if c.follow_up_id in still_open else "done",
        ]
        for c in conditions
    ]
    return [
        Heading("Alignment reviews"),
        Table(
            "alignment_reviews",
            "Alignment reviews (latest version)",
            [
                "AI system",
                "Review",
                "Version",
                "Status",
                "Decision",
                "Decided",
                "Next review",
                "Findings",
                "Conditions",
            ],
            rows,
            widths=[3, 4, 1, 2, 3, 3, 2, 1, 1],
            empty="No alignment review.",
        ),
        Table(
            "alignment_findings",
            "Alignment findings",
            ["AI system", "Review", "Area", "Finding", "Severity"],
            finding_rows,
            widths=[3, 3, 3, 5, 2],
            empty="No finding.",
        ),
        Table(
            "alignment_conditions",
            "Conditions of approvals (tracked as follow-ups)",
            ["AI system", "Review", "Condition", "Owner team", "Due", "Status"],
            condition_rows,
            widths=[3, 3, 5, 3, 2, 1],
            empty="No condition.",
        ),
    ]


def incident_response(scope: PackScope) -> list[Block]:
    plans = list(
        IncidentResponsePlan.objects.latest()
        .filter(organisation=scope.organisation, systems__in=scope.system_ids)
        .distinct()
        .select_related("approved_by")
        .prefetch_related("systems")
        .order_by("title", "pk")
    )
    plan_ids = [p.pk for p in plans]
    plan_rows: list[list[Value]] = [
        [
            p.title,
            p.record_version,
            p.get_status_display(),
            ", ".join(sorted(s.name for s in p.systems.all())),
            signed(p.approved_by, p.approved_at),
            p.next_review_due,
        ]
        for p in plans
    ]
    playbooks = Playbook.objects.filter(plan__in=plan_ids).select_related("plan").order_by("plan__title", "pk")
    playbook_rows: list[list[Value]] = [[str(b.plan), b.title, b.get_domain_display()] for b in playbooks]
    tabletops = (
        TabletopExercise.objects.latest()
        .filter(organisation=scope.organisation, plan__series__in=[p.series for p in plans])
        .select_related("plan", "playbook", "approved_by")
        .order_by("-held_on", "pk")
    )
    tabletop_rows: list[list[Value]] = [
        [
            t.plan.title,
            t.title,
            t.record_version,
            t.get_status_display(),
            t.playbook.title,
            t.held_on,
            signed(t.approved_by, t.approved_at),
        ]
        for t in tabletops
    ]
    return [
        Heading("Incident response"),
        Paragraph("The incident-response plans covering the systems in scope, their playbooks and rehearsals."),
        Table(
            "ir_plans",
            "Incident-response plans (latest version)",
            ["Plan", "Version", "Status", "Covered systems", "Approved", "Next review"],
            plan_rows,
            widths=[4, 1, 2, 5, 3, 2],
            empty="No incident-response plan covers these systems.",
        ),
        Table(
            "ir_playbooks",
            "Playbooks",
            ["Plan", "Incident type", "Domain"],
            playbook_rows,
            widths=[4, 5, 2],
            empty="No playbook.",
        ),
        Table(
            "tabletop_exercises",
            "Tabletop exercises (latest version)",
            ["Plan", "Exercise", "Version", "Status", "Playbook exercised", "Held on", "Approved"],
            tabletop_rows,
            widths=[3, 4, 1, 2, 3, 2, 3],
            empty="No tabletop exercise.",
        ),
    ]


def incidents(scope: PackScope) -> list[Block]:
    found = (
        Incident.objects.filter(organisation=scope.organisation, systems__in=scope.system_ids)
        .distinct()
        .select_related("owner_team", "reviewed_by")
        .prefetch_related("systems")
        .order_by("-detected_at", "pk")
    )
    rows: list[list[Value]] = [
        [
            i.title,
            ", ".join(sorted(s.name for s in i.systems.all())),
            i.get_severity_display(),
            i.get_domain_display(),
            i.get_status_display(),
            i.detected_at,
            i.contained_at,
            i.resolved_at,
            i.owner_team.name,
            signed(i.reviewed_by, i.reviewed_at),
        ]
        for i in found
    ]
    return [
        Heading("Incidents"),
        Table(
            "incidents",
            "Incidents affecting these systems",
            [
                "Incident",
                "Systems",
                "Severity",
                "Domain",
                "Status",
                "Detected",
                "Contained",
                "Resolved",
                "Owner team",
                "Post-incident review",
            ],
            rows,
            widths=[4, 3, 2, 2, 2, 3, 3, 3, 3, 3],
            empty="No incident.",
        ),
    ]
