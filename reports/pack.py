"""What an audit pack says: the records read once into a `Document` (reports/documents.py), which
is then rendered three ways (PDF, XLSX, CSV), so the three agree by construction.

`pack_document(pack)` reads everything in one database snapshot (REPEATABLE READ on PostgreSQL),
so the audit trail head printed in every footer is the head the data was read at. Each section
is a function `(PackScope) -> list[Block]` in `SECTIONS`; each runs a fixed number of queries
whatever the number of systems or records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Membership
from assessments.models import ControlAssignment, Evidence
from audit.services import ChainReport, verify_chain
from core.choices import Domain
from governance.models import AISystem
from readiness import coverage, engine
from risks.heatmap import heat_map
from risks.models import RiskScenario, band
from threats.models import FindingStatus, RedTeamExercise, RedTeamFinding, ThreatEntry, ThreatModel

from .documents import Block, Document, Heading, Paragraph, Table, Value
from .models import AuditPack
from .response_sections import alignment_reviews, incident_response, incidents
from .scope import PackScope, person, rating, signed

# --- sections ----------------------------------------------------------------------------------


def cover(scope: PackScope) -> list[Block]:
    pack = scope.pack
    role = (
        Membership.objects.filter(organisation=pack.organisation, user=pack.requested_by)
        .values_list("role", flat=True)
        .first()
    )
    if pack.ai_system_id:
        scope_text = f"AI system: {pack.scope_label}"
    else:
        scope_text = f"Whole organisation ({len(scope.systems)} AI systems in service)"
    chain = scope.chain
    items: list[tuple[str, Value]] = [
        ("Organisation", pack.organisation.name),
        ("Scope", scope_text),
        ("Generated", scope.generated_at),
        ("Requested by", f"{person(pack.requested_by)} ({role})" if role else person(pack.requested_by)),
        ("Pack number", pack.pk),
        ("Audit trail head", f"event #{chain.head_seq}, {chain.head_hash}"),
        ("Chain verification", chain_verdict(chain)),
    ]
    return [
        Table("pack", "About this pack", ["Item", "Value"], items, widths=[1, 3]),
        Paragraph(
            "Every record below is as stored in Bastion when the pack was generated. The workbook "
            "(audit-pack.xlsx) and the CSV files hold the same tables; MANIFEST.sha256 lists the "
            "SHA-256 of every file in the pack."
        ),
    ]


def chain_verdict(chain: ChainReport) -> str:
    if chain.ok:
        return f"intact: {chain.events_checked} events checked"
    return f"BROKEN after {chain.events_checked} events: {chain.error}"


def summary(scope: PackScope) -> list[Block]:
    """The verdict per system and every check behind it (readiness.engine: the gates of the
    Readiness rule, then control readiness per domain against the threshold)."""
    names = {s.pk: s.name for s in scope.systems}
    verdicts = engine.for_systems(scope.organisation, scope.system_ids, names=names)
    threshold = scope.organisation.readiness_threshold
    ready = [v for v in verdicts.values() if v.audit_ready]
    rows: list[list[Value]] = []
    check_rows: list[list[Value]] = []
    for system in scope.systems:
        verdict = verdicts[system.pk]
        cells: list[Value] = [system.name, verdict.audit_ready]
        for figure in (verdict.security, verdict.safety):
            if figure.percent is None:
                cells += ["no controls apply", None]
            else:
                cells += [f"{figure.verified} / {figure.applicable}", figure.percent]
        cells += [verdict.controls.awaiting_verification, verdict.controls.overdue, len(verdict.failing)]
        rows.append(cells)
        check_rows += [
            [system.name, c.label, "pass" if c.passed else "FAIL", c.reason, c.since] for c in verdict.checks
        ]
    return [
        Heading("Summary and verdict"),
        Paragraph(
            f"{len(ready)} of {len(verdicts)} AI systems in scope are audit-ready. A system is audit-ready when "
            "every gate passes and, in both domains, the share of applicable controls that are verified is at "
            f"least the organisation's threshold ({threshold} %). A control approved as not applicable leaves "
            "the count; controls of domain 'both' count in both domains."
        ),
        Table(
            "readiness",
            "Verdict and control readiness per AI system",
            [
                "AI system",
                "Audit-ready",
                "Security verified",
                "Security %",
                "Safety verified",
                "Safety %",
                "Awaiting verification",
                "Overdue",
                "Failing checks",
            ],
            rows,
            widths=[3, 1, 2, 1, 2, 1, 2, 1, 1],
            empty="No AI system in scope.",
        ),
        Table(
            "gates",
            "Gates and checks, with their reasons",
            ["AI system", "Check", "Result", "Reason", "Since"],
            check_rows,
            widths=[3, 3, 1, 8, 2],
            empty="No AI system in scope.",
        ),
    ]


def framework_coverage(scope: PackScope) -> list[Block]:
    by_system = coverage.for_systems(scope.organisation, scope.systems)
    rows: list[list[Value]] = [
        [
            system.name,
            c.framework.name,
            c.covered,
            c.partly,
            c.uncovered,
            c.total,
            c.percent,
            c.why,
        ]
        for system in scope.systems
        for c in by_system.get(system.pk, [])
    ]
    return [
        Heading("Framework coverage"),
        Paragraph(
            "A framework item is covered for a system when a verified control maps to it, partly covered when "
            "mapped controls apply but not all are verified, and uncovered otherwise. Frameworks that matter "
            "most for a system (the EU AI Act for a high-risk system, OWASP for an exposed one) come first."
        ),
        Table(
            "framework_coverage",
            "Framework coverage per AI system",
            ["AI system", "Framework", "Covered", "Partly", "Uncovered", "Items", "Covered %", "Comes first because"],
            rows,
            widths=[3, 5, 1, 1, 1, 1, 1, 4],
            empty="No framework in the library.",
        ),
    ]


def controls(scope: PackScope) -> list[Block]:
    assignments = list(
        ControlAssignment.objects.filter(organisation=scope.organisation, ai_system_id__in=scope.system_ids)
        .active()
        .select_related(
            "ai_system", "control", "owner_team", "cosigning_team", "verified_by", "cosigned_by", "implemented_by"
        )
        .annotate(evidence_count=Count("evidence"))
        .order_by("ai_system__name", "control__ref", "pk")
    )
    by_domain: dict[str, list[list[Value]]] = defaultdict(list)
    for a in assignments:
        by_domain[a.control.domain].append(
            [
                a.ai_system.name,
                a.control.ref,
                a.control.title,
                a.owner_team.name if a.owner_team else "",
                a.get_status_display(),
                signed(a.verified_by, a.verified_at),
                signed(a.cosigned_by, a.cosigned_at) if a.cosigning_team_id else "not needed",
                a.due_date,
                a.evidence_count,
            ]
        )
    columns = ["AI system", "Control", "Title", "Owner team", "Status", "Verifier", "Co-signer", "Due", "Evidence"]
    blocks: list[Block] = [
        Heading("Controls"),
        Paragraph(
            "Every control that applies to the systems in scope, per domain: its owner team, status and the "
            "sign-offs (a lead verifies; a control of domain 'both' is also co-signed by the other side's team)."
        ),
    ]
    for domain in (Domain.SECURITY, Domain.SAFETY, Domain.BOTH):
        blocks.append(
            Table(
                f"controls_{domain}",
                f"Controls: {domain.label}",
                columns,
                by_domain[domain.value],
                widths=[3, 2, 5, 3, 2, 3, 3, 2, 1],
                empty="No control of this domain applies.",
            )
        )
    return blocks


def evidence(scope: PackScope) -> list[Block]:
    items = (
        Evidence.objects.filter(
            organisation=scope.organisation,
            assignment__ai_system_id__in=scope.system_ids,
            assignment__retired_at__isnull=True,
        )
        .select_related("assignment__ai_system", "assignment__control", "uploaded_by")
        .order_by("assignment__ai_system__name", "assignment__control__ref", "uploaded_at", "pk")
    )
    rows: list[list[Value]] = [
        [
            e.assignment.ai_system.name,
            e.assignment.control.ref,
            e.get_kind_display(),
            e.original_filename or e.link or e.note[:200],
            e.sha256,
            e.size or None,
            person(e.uploaded_by),
            e.uploaded_at,
            e.valid_until,
        ]
        for e in items
    ]
    return [
        Heading("Evidence"),
        Paragraph("Evidence attached to the controls above. A file's SHA-256 was computed when it was uploaded."),
        Table(
            "evidence",
            "Evidence",
            ["AI system", "Control", "Kind", "Item", "SHA-256", "Bytes", "Added by", "Added", "Valid until"],
            rows,
            widths=[3, 2, 1, 4, 6, 1, 2, 3, 2],
            empty="No evidence.",
        ),
    ]


def risks(scope: PackScope) -> list[Block]:
    latest = RiskScenario.objects.latest().filter(organisation=scope.organisation, ai_system_id__in=scope.system_ids)
    rows: list[list[Value]] = []
    for r in latest.select_related("ai_system", "owner_team").order_by("ai_system__name", "title", "pk"):
        acceptance = r.get_acceptance_display()
        if r.acceptance_until:
            acceptance += f" until {r.acceptance_until.isoformat()}"
        rows.append(
            [
                r.ai_system.name,
                r.title,
                r.record_version,
                r.get_status_display(),
                r.get_domain_display(),
                rating(r.inherent_likelihood, r.inherent_impact),
                rating(r.residual_likelihood, r.residual_impact),
                band(r.residual_score),
                r.get_treatment_display(),
                acceptance,
                r.owner_team.name,
            ]
        )
    grid = heat_map(latest)
    heat_rows: list[list[Value]] = [[f"Impact {line[0].impact}", *[cell.count for cell in line]] for line in grid]
    return [
        Heading("Risks"),
        Paragraph("The latest version of every risk scenario. Ratings are likelihood × impact on 1–5 scales."),
        Table(
            "risks",
            "Risk register",
            [
                "AI system",
                "Risk",
                "Version",
                "Status",
                "Domain",
                "Inherent",
                "Residual",
                "Band",
                "Treatment",
                "Acceptance",
                "Owner team",
            ],
            rows,
            widths=[3, 4, 1, 2, 2, 2, 2, 2, 2, 3, 3],
            empty="No risk scenario.",
        ),
        Table(
            "risk_heat_map",
            "Heat map of residual ratings (number of risks per cell)",
            ["", "Likelihood 1", "Likelihood 2", "Likelihood 3", "Likelihood 4", "Likelihood 5"],
            heat_rows,
        ),
    ]


def threat_models(scope: PackScope) -> list[Block]:
    models = list(
        ThreatModel.objects.latest()
        .filter(organisation=scope.organisation, ai_system_id__in=scope.system_ids)
        .select_related("ai_system", "author", "approved_by")
        .annotate(entry_count=Count("entries"))
        .order_by("ai_system__name", "title", "pk")
    )
    rows: list[list[Value]] = [
        [
            m.ai_system.name,
            m.title,
            m.record_version,
            m.get_status_display(),
            person(m.author),
            signed(m.approved_by, m.approved_at),
            m.next_review_due,
            m.entry_count,
        ]
        for m in models
    ]
    entries = (
        ThreatEntry.objects.filter(threat_model__in=[m.pk for m in models])
        .select_related("threat_model__ai_system", "threat")
        .prefetch_related("mitigations__control")
        .order_by("threat_model__ai_system__name", "threat_model_id", "pk")
    )
    entry_rows: list[list[Value]] = [
        [
            e.threat_model.ai_system.name,
            str(e.threat_model),
            f"{e.threat.ref} {e.threat.title}" if e.threat else e.title,
            e.get_surface_display(),
            rating(e.likelihood, e.impact),
            rating(e.residual_likelihood, e.residual_impact),
            ", ".join(sorted(m.control.ref for m in e.mitigations.all())),
        ]
        for e in entries
    ]
    return [
        Heading("Threat models"),
        Table(
            "threat_models",
            "Threat models (latest version)",
            ["AI system", "Threat model", "Version", "Status", "Author", "Approved", "Next review", "Threats"],
            rows,
            widths=[3, 4, 1, 2, 2, 3, 2, 1],
            empty="No threat model.",
        ),
        Table(
            "threats",
            "Threats in these threat models",
            ["AI system", "Threat model", "Threat", "Surface", "Rating", "Residual", "Mitigating controls"],
            entry_rows,
            widths=[3, 3, 5, 2, 2, 2, 3],
            empty="No threat recorded.",
        ),
    ]


def red_team(scope: PackScope) -> list[Block]:
    exercises = list(
        RedTeamExercise.objects.latest()
        .filter(organisation=scope.organisation, ai_system_id__in=scope.system_ids)
        .select_related("ai_system", "team", "approved_by")
        .annotate(
            finding_count=Count("findings"),
            open_count=Count("findings", filter=Q(findings__status=FindingStatus.OPEN)),
        )
        .order_by("ai_system__name", "-ends_on", "pk")
    )
    rows: list[list[Value]] = [
        [
            x.ai_system.name,
            x.title,
            x.record_version,
            x.get_status_display(),
            f"{x.starts_on.isoformat()} – {x.ends_on.isoformat()}",
            x.team.name if x.team else "",
            signed(x.approved_by, x.approved_at),
            x.next_review_due,
            f"{x.open_count} open of {x.finding_count}",
        ]
        for x in exercises
    ]
    findings = (
        RedTeamFinding.objects.filter(exercise__in=[x.pk for x in exercises])
        .select_related("exercise__ai_system", "threat", "control")
        .order_by("exercise__ai_system__name", "exercise_id", "pk")
    )
    finding_rows: list[list[Value]] = [
        [
            f.exercise.ai_system.name,
            str(f.exercise),
            f.title,
            f.get_severity_display(),
            f.get_domain_display(),
            f.get_status_display(),
            f.threat.ref if f.threat else "",
            f.control.ref if f.control else "",
            f.retest_on,
            f.get_retest_result_display() if f.retest_result else "",
        ]
        for f in findings
    ]
    return [
        Heading("Red teaming"),
        Table(
            "red_team_exercises",
            "Red-team exercises (latest version)",
            ["AI system", "Exercise", "Version", "Status", "Window", "Red team", "Approved", "Next due", "Findings"],
            rows,
            widths=[3, 4, 1, 2, 4, 2, 3, 2, 2],
            empty="No red-team exercise.",
        ),
        Table(
            "red_team_findings",
            "Red-team findings",
            [
                "AI system",
                "Exercise",
                "Finding",
                "Severity",
                "Domain",
                "Status",
                "Threat",
                "Control",
                "Retest on",
                "Result",
            ],
            finding_rows,
            widths=[3, 3, 4, 2, 2, 2, 2, 2, 2, 2],
            empty="No finding.",
        ),
    ]


def audit_trail(scope: PackScope) -> list[Block]:
    chain = scope.chain
    return [
        Heading("Audit trail"),
        Paragraph(
            "Every change in Bastion is an event in the organisation's hash chain. The chain was checked "
            "from its first event to the head below when this pack was generated; the head's hash is "
            "printed in every page footer."
        ),
        Table(
            "audit_chain",
            "Chain verification",
            ["Head event", "Head hash", "Result", "Events checked", "Detail"],
            [[chain.head_seq, chain.head_hash, "intact" if chain.ok else "broken", chain.events_checked, chain.error]],
            widths=[1, 5, 1, 1, 3],
        ),
    ]


Section = Callable[[PackScope], list[Block]]
SECTIONS: list[Section] = [
    cover,
    summary,
    controls,
    evidence,
    risks,
    threat_models,
    alignment_reviews,
    red_team,
    incident_response,
    incidents,
    framework_coverage,
    audit_trail,
]


# --- the document ------------------------------------------------------------------------------


def pack_document(pack: AuditPack, *, now: dt.datetime | None = None) -> tuple[Document, ChainReport]:
    """Read every section in one snapshot; the document and the chain check it reports (no file
    is written here)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every query below: the data and the chain head belong together.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        systems = AISystem.objects.for_org(pack.organisation).order_by("name", "pk")
        # One system: even a retired one (its records are still wanted); else those in service.
        systems = systems.filter(pk=pack.ai_system_id) if pack.ai_system_id else systems.active()
        scope = PackScope(
            pack=pack,
            systems=list(systems),
            chain=verify_chain(pack.organisation),
            generated_at=timezone.localtime(now or timezone.now()),
        )
        blocks = [block for section in SECTIONS for block in section(scope)]
    document = Document(
        title=f"Audit pack: {pack.organisation.name}",
        blocks=blocks,
        version=str(pack.pk),
        head_hash=scope.chain.head_hash,
        date=scope.generated_at,
        footer_text=pack.scope_label,
        author=person(pack.requested_by),
        landscape=True,
    )
    return document, scope.chain
