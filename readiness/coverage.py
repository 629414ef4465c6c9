"""Framework coverage: which framework items a system's controls answer.

For one system and one framework item:
- **covered**: a verified control of the system maps to the item (DESIGN.md's rule);
- **partly covered**: controls of the system map to it, but none of them is verified yet;
- **uncovered**: no control that applies to the system maps to it.
Controls approved as not applicable and retired assignments do not count. The items counted are
the framework's leaves (an article, an entry, a subcategory: not the headings above them) that
are in use and not declared out of the library's scope.

Computed for any number of systems and frameworks with three queries: the frameworks, the number
of countable items of each, and one grouped query over the systems' assignments joined to the
mappings, counting covered and partly covered items per system and framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.models import Organisation
from assessments.models import AssignmentStatus, ControlAssignment
from governance.models import AISystem, Framework, FrameworkItem

from .controls import states

STRUCTURAL_KINDS = ("tier", "function", "tactic")
EU_AI_ACT = "eu-ai-act"
OWASP = ("owasp-llm", "owasp-asi")
EXPOSED = ("customer_facing", "public")
HIGH_RISK = "high"


@dataclass
class Coverage:
    framework: Framework
    covered: int = 0
    partly: int = 0
    total: int = 0
    focus: bool = False
    why: str = ""

    @property
    def uncovered(self) -> int:
        return self.total - self.covered - self.partly

    @property
    def percent(self) -> int | None:
        return round(100 * self.covered / self.total) if self.total else None

    def cell(self, url: str) -> str:
        """The coverage page's table cell, linking to `url` (the drill-down). Built in Python: a
        page of fifty systems has four hundred cells, and the template's translate and url tags
        per cell were most of the page's rendering time."""
        title = _("%(covered)s covered, %(partly)s partly, %(uncovered)s uncovered") % {
            "covered": self.covered,
            "partly": self.partly,
            "uncovered": self.uncovered,
        }
        if not self.focus:
            return format_html(
                '<td class="text-center"><a href="{}" title="{}">{}/{}</a></td>', url, title, self.covered, self.total
            )
        return format_html(
            '<td class="text-center coverage-focus"><a href="{}" title="{} — {}">{}/{}</a> '
            '<i class="bi bi-star-fill" aria-hidden="true"></i><span class="visually-hidden">{}</span></td>',
            url,
            title,
            self.why,
            self.covered,
            self.total,
            self.why,
        )


def frameworks_for(org: Organisation) -> list[Framework]:
    return list(Framework.objects.for_org(org).filter(retired_at__isnull=True).order_by("name"))


def _countable(framework_ids):
    """The countable items of the frameworks: leaves, in use, in the library's scope."""
    leaf = ~Exists(FrameworkItem.objects.filter(parent=OuterRef("pk"), retired_at__isnull=True))
    return (
        FrameworkItem.objects.filter(framework_id__in=framework_ids, retired_at__isnull=True, out_of_scope="")
        .exclude(kind__in=STRUCTURAL_KINDS)
        .filter(leaf)
    )


def countable_items(framework_ids) -> dict[int, set[int]]:
    """Framework id → ids of its countable items: one query."""
    items: dict[int, set[int]] = {pk: set() for pk in framework_ids}
    for framework_id, pk in _countable(framework_ids).values_list("framework_id", "pk"):
        items[framework_id].add(pk)
    return items


def framework_tallies(system_ids, framework_ids) -> dict[tuple[int, int], tuple[int, int]]:
    """(system id, framework id) → (covered items, partly covered items) over the systems'
    applicable assignments: one grouped query, which counts distinct items in the database (a
    page of a hundred systems has thousands of (system, item) pairs and about a thousand of
    these)."""
    s = states()
    grouped = (
        ControlAssignment.objects.filter(ai_system_id__in=system_ids)
        .filter(s.active)
        .exclude(s.approved_na)
        .filter(control__mappings__in=_countable(framework_ids).values("pk"))
        .order_by()
        .values("ai_system_id", "control__mappings__framework_id")
        .annotate(
            touched=Count("control__mappings", distinct=True),
            covered=Count("control__mappings", filter=s.verified, distinct=True),
        )
        .values_list("ai_system_id", "control__mappings__framework_id", "touched", "covered")
    )
    return {(system, framework): (covered, touched - covered) for system, framework, touched, covered in grouped}


def focus_reason(system: AISystem, framework: Framework) -> str:
    """Why a framework comes first for a system (or "" when it does not)."""
    from django.utils.translation import gettext as _

    if framework.key.startswith(EU_AI_ACT) and system.eu_ai_act_tier == HIGH_RISK:
        return _("a high-risk system under the EU AI Act")
    if framework.key.startswith(OWASP) and system.exposure in EXPOSED:
        return _("exposed to customers or the public")
    return ""


def for_systems(org: Organisation, systems: list[AISystem], frameworks: list[Framework] | None = None):
    """system id → [Coverage per framework], the system's focus frameworks first."""
    frameworks = frameworks if frameworks is not None else frameworks_for(org)
    framework_ids = [f.pk for f in frameworks]
    totals = dict(
        _countable(framework_ids)
        .order_by()
        .values("framework_id")
        .annotate(n=Count("pk"))
        .values_list("framework_id", "n")
    )
    tallies = framework_tallies([s.pk for s in systems], framework_ids)
    result = {}
    for system in systems:
        rows = []
        for framework in frameworks:
            covered, partly = tallies.get((system.pk, framework.pk), (0, 0))
            coverage = Coverage(framework, covered=covered, partly=partly, total=totals.get(framework.pk, 0))
            coverage.why = focus_reason(system, framework)
            coverage.focus = bool(coverage.why)
            rows.append(coverage)
        rows.sort(key=lambda c: (not c.focus, c.framework.name))
        result[system.pk] = rows
    return result


@dataclass
class ItemRow:
    item: FrameworkItem
    state: str  # covered / partly / uncovered
    assignments: list = field(default_factory=list)


def drill_down(system: AISystem, framework: Framework) -> list[ItemRow]:
    """Every countable item of the framework with its state for the system and the system's
    assignments mapped to it: two queries."""
    ids = countable_items([framework.pk])[framework.pk]
    items = list(FrameworkItem.objects.filter(pk__in=ids).order_by("position", "ref"))
    s = states()
    assignments = (
        ControlAssignment.objects.filter(ai_system=system, control__mappings__in=ids)
        .filter(s.active)
        .exclude(s.approved_na)
        .select_related("control", "owner_team")
        .annotate(item_id=F("control__mappings"))
        .order_by("control__ref")
    )
    by_item: dict[int, list] = {}
    for assignment in assignments:
        by_item.setdefault(assignment.item_id, []).append(assignment)
    rows = []
    for item in items:
        mine = by_item.get(item.pk, [])
        if any(a.status == AssignmentStatus.VERIFIED for a in mine):
            state = "covered"
        elif mine:
            state = "partly"
        else:
            state = "uncovered"
        rows.append(ItemRow(item, state, mine))
    return rows
