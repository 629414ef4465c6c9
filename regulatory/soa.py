"""The Statement of Applicability of an organisation, for one framework.

Every item of the framework's applicable kind (ISO/IEC 42001 Annex A controls, EU AI Act articles,
NIST AI RMF subcategories) with the lead's decision (included / excluded, why), its implementation
status derived from the Bastion controls mapped to it across the organisation's active systems,
and the evidence of those controls. A fixed number of queries whatever the size: the framework,
its items, their controls, the decisions, and two grouped per-control queries (assignment counts,
the newest evidence), which are kept under the organisation's data version; nothing per row.

Status of an item (mapped assignments = active assignments of active systems whose control maps
to the item, leaving out those whose "not applicable" a lead approved):
- `implemented`: there is at least one, and every one is verified;
- `partly`: some are verified or implemented, not all verified;
- `not_yet`: none is verified or implemented, or no control of any system maps to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from assessments.models import AssignmentStatus, ControlAssignment, Evidence
from audit.versions import cached_for_org
from governance.models import Control, Framework, FrameworkItem

from .models import SoADecision


@dataclass(frozen=True)
class SoAFramework:
    slug: str
    key: str
    item_kind: str
    label: Any
    item_label: Any


FRAMEWORKS = {
    f.slug: f
    for f in (
        SoAFramework("iso-42001", "iso-42001-2023", "control", _("ISO/IEC 42001 Annex A"), _("Annex A control")),
        SoAFramework("eu-ai-act", "eu-ai-act-2024", "article", _("EU AI Act articles"), _("Article")),
        SoAFramework("nist-ai-rmf", "nist-ai-rmf-1.0", "subcategory", _("NIST AI RMF subcategories"), _("Subcategory")),
    )
}
DEFAULT = "iso-42001"
EVIDENCE_SHOWN = 3


class Status:
    IMPLEMENTED = "implemented"
    PARTLY = "partly"
    NOT_YET = "not_yet"
    LABELS = {IMPLEMENTED: _("Implemented"), PARTLY: _("Partly"), NOT_YET: _("Not yet")}


def derive_status(mapped: int, verified: int, implemented: int) -> str:
    if mapped and verified == mapped:
        return Status.IMPLEMENTED
    if verified or implemented:
        return Status.PARTLY
    return Status.NOT_YET


@dataclass
class EvidenceLink:
    pk: int
    assignment_id: int
    label: str
    system: str
    control: str


@dataclass
class SoARow:
    item: FrameworkItem
    mapped: int
    verified: int
    implemented: int
    decision: SoADecision | None = None
    evidence: list[EvidenceLink] = field(default_factory=list)
    evidence_total: int = 0

    @property
    def status(self) -> str:
        return derive_status(self.mapped, self.verified, self.implemented)

    @property
    def status_label(self) -> Any:
        return Status.LABELS[self.status]


@dataclass
class Statement:
    framework: Framework | None  # None: the built-in library is not loaded yet
    spec: SoAFramework
    rows: list[SoARow]

    @property
    def version(self) -> int:
        """Moves on with every decision taken or changed: the sum of the decisions' versions."""
        return sum(r.decision.version for r in self.rows if r.decision is not None)

    def counts(self) -> dict[str, int]:
        out = {Status.IMPLEMENTED: 0, Status.PARTLY: 0, Status.NOT_YET: 0, "included": 0, "excluded": 0, "open": 0}
        for row in self.rows:
            out[row.status] += 1
            out[row.decision.applicability if row.decision else "open"] += 1
        return out


def framework_spec(slug: str | None) -> SoAFramework:
    spec = FRAMEWORKS.get(slug or DEFAULT)
    if spec is None:
        raise Http404("No such framework")
    return spec


def statement(org, slug: str | None = None) -> Statement:
    spec = framework_spec(slug)
    framework = Framework.objects.builtin().filter(key=spec.key).first()
    if framework is None:
        return Statement(framework=None, spec=spec, rows=[])
    items = list(
        FrameworkItem.objects.filter(framework=framework, kind=spec.item_kind, retired_at__isnull=True).order_by(
            "position", "pk"
        )
    )
    rows = {item.pk: SoARow(item=item, mapped=0, verified=0, implemented=0) for item in items}
    # An item's numbers are the sums over the controls mapped to it: an assignment or an evidence
    # row reaches an item through its one control, so nothing is counted twice. Counting per
    # control reads the assignments once, instead of joining them to every mapping of every item.
    controls_of: dict[int, list[int]] = {}
    refs: dict[int, str] = {}
    for control_id, item_id, ref in Control.mappings.through.objects.filter(frameworkitem_id__in=rows).values_list(
        "control_id", "frameworkitem_id", "control__ref"
    ):
        controls_of.setdefault(item_id, []).append(control_id)
        refs[control_id] = ref
    counts, evidence = cached_for_org(org, "soa-per-control", lambda: (_control_counts(org), _control_evidence(org)))
    for item_id, row in rows.items():
        latest: list[dict] = []
        for control_id in controls_of.get(item_id, ()):
            mapped, verified, implemented = counts.get(control_id, (0, 0, 0))
            row.mapped += mapped
            row.verified += verified
            row.implemented += implemented
            total, shown = evidence.get(control_id, (0, []))
            row.evidence_total += total
            latest.extend(shown)
        latest.sort(key=lambda e: (e["uploaded_at"], e["pk"]), reverse=True)
        row.evidence = [_evidence_link(e, refs) for e in latest[:EVIDENCE_SHOWN]]
    for decision in SoADecision.objects.filter(organisation=org, item__framework=framework).select_related(
        "decided_by"
    ):
        if decision.item_id in rows:
            rows[decision.item_id].decision = decision
    return Statement(framework=framework, spec=spec, rows=list(rows.values()))


def _counted_assignments(org):
    """The assignments a statement counts: active, of active systems, leaving out those whose
    "not applicable" a lead approved."""
    return (
        ControlAssignment.objects.filter(organisation=org, retired_at__isnull=True, ai_system__retired_at__isnull=True)
        .exclude(status=AssignmentStatus.NOT_APPLICABLE, na_approved_at__isnull=False)
        .order_by()
    )


def _control_counts(org) -> dict[int, tuple[int, int, int]]:
    """control id → (counted assignments, verified, implemented): one grouped query.

    This and `_control_evidence` hold only the organisation's own data, which changes only
    through audited writes: `statement` keeps them under the data version. What the built-in
    library decides (which controls map to which items, their references) is read afresh."""
    grouped = (
        _counted_assignments(org)
        .values("control_id")
        .annotate(
            mapped=Count("pk"),
            verified=Count("pk", filter=Q(status=AssignmentStatus.VERIFIED)),
            implemented=Count("pk", filter=Q(status=AssignmentStatus.IMPLEMENTED)),
        )
    )
    return {r["control_id"]: (r["mapped"], r["verified"], r["implemented"]) for r in grouped}


def _control_evidence(org) -> dict[int, tuple[int, list[dict]]]:
    """control id → (its evidence on active systems, the newest few): one query that ranks each
    control's evidence in the database."""
    by_control = F("assignment__control_id")
    ranked = (
        Evidence.objects.filter(
            organisation=org,
            assignment__retired_at__isnull=True,
            assignment__ai_system__retired_at__isnull=True,
        )
        .annotate(
            control_id=F("assignment__control_id"),
            rank=Window(RowNumber(), partition_by=by_control, order_by=[F("uploaded_at").desc(), F("pk").desc()]),
            total=Window(Count("pk"), partition_by=by_control),
        )
        .filter(rank__lte=EVIDENCE_SHOWN)
        .values(
            "pk",
            "uploaded_at",
            "control_id",
            "total",
            "assignment_id",
            "original_filename",
            "link",
            "note",
            "assignment__ai_system__name",
        )
    )
    result: dict[int, tuple[int, list[dict]]] = {}
    for e in ranked:
        result.setdefault(e["control_id"], (e["total"], []))[1].append(dict(e))
    return result


def _evidence_link(e: dict, refs: dict[int, str]) -> EvidenceLink:
    return EvidenceLink(
        pk=e["pk"],
        assignment_id=e["assignment_id"],
        label=e["original_filename"] or e["link"] or (e["note"] or "")[:60],
        system=e["assignment__ai_system__name"],
        control=refs[e["control_id"]],
    )
