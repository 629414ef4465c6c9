"""The Statement of Applicability of an organisation, for one framework.

Every item of the framework's applicable kind (ISO/IEC 42001 Annex A controls, EU AI Act articles,
NIST AI RMF subcategories) with the lead's decision (included / excluded, why), its implementation
status derived from the Bastion controls mapped to it across the organisation's active systems,
and the evidence of those controls. Five queries whatever the size: the framework, the items with
their counts (one SQL aggregation), the decisions, the evidence, and nothing per row.

Status of an item (mapped assignments = active assignments of active systems whose control maps
to the item, leaving out those whose "not applicable" a lead approved):
- `implemented`: there is at least one, and every one is verified;
- `partly`: some are verified or implemented, not all verified;
- `not_yet`: none is verified or implemented, or no control of any system maps to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from assessments.models import AssignmentStatus, Evidence
from governance.models import Framework, FrameworkItem

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
    A = "controls__assignments__"
    counted = Q(
        **{
            f"{A}organisation": org,
            f"{A}retired_at__isnull": True,
            f"{A}ai_system__retired_at__isnull": True,
        }
    ) & ~Q(**{f"{A}status": AssignmentStatus.NOT_APPLICABLE, f"{A}na_approved_at__isnull": False})
    items = list(
        FrameworkItem.objects.filter(framework=framework, kind=spec.item_kind, retired_at__isnull=True)
        .annotate(
            mapped=Count("controls__assignments", filter=counted, distinct=True),
            verified=Count(
                "controls__assignments",
                filter=counted & Q(**{f"{A}status": AssignmentStatus.VERIFIED}),
                distinct=True,
            ),
            implemented=Count(
                "controls__assignments",
                filter=counted & Q(**{f"{A}status": AssignmentStatus.IMPLEMENTED}),
                distinct=True,
            ),
        )
        .order_by("position", "pk")
    )
    rows = {
        item.pk: SoARow(item=item, mapped=item.mapped, verified=item.verified, implemented=item.implemented)
        for item in items
    }
    for decision in SoADecision.objects.filter(organisation=org, item__framework=framework).select_related(
        "decided_by"
    ):
        if decision.item_id in rows:
            rows[decision.item_id].decision = decision
    evidence = (
        Evidence.objects.filter(
            organisation=org,
            assignment__retired_at__isnull=True,
            assignment__ai_system__retired_at__isnull=True,
            assignment__control__mappings__in=list(rows),
        )
        .values(
            "pk",
            "assignment_id",
            "original_filename",
            "link",
            "note",
            "assignment__ai_system__name",
            "assignment__control__ref",
            "assignment__control__mappings",
        )
        .order_by("-uploaded_at", "-pk")
    )
    for e in evidence:
        row = rows.get(e["assignment__control__mappings"])
        if row is None:
            continue
        row.evidence_total += 1
        if len(row.evidence) < EVIDENCE_SHOWN:
            row.evidence.append(
                EvidenceLink(
                    pk=e["pk"],
                    assignment_id=e["assignment_id"],
                    label=e["original_filename"] or e["link"] or (e["note"] or "")[:60],
                    system=e["assignment__ai_system__name"],
                    control=e["assignment__control__ref"],
                )
            )
    return Statement(framework=framework, spec=spec, rows=list(rows.values()))
