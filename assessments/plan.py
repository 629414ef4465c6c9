"""The control plan: which library controls apply to the confirmed profile, who will own them,
and how that differs from the system's current assignments. Read-only; the plan is shown before
anything is created and recomputed when it is confirmed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from core.choices import Domain
from governance.applicability import describe, evaluate
from governance.models import Control, Practice

from .models import Assessment, ControlAssignment
from .services.routing import Route, Router

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class PlanItem:
    control: Control
    reasons: list[str]  # why it applies: the profile facts that made its rule hold
    route: Route
    assignment: ControlAssignment | None = None  # the existing assignment it keeps


@dataclass
class Retirement:
    assignment: ControlAssignment
    reason: str


@dataclass
class Plan:
    profile: dict[str, Any]
    teams: list = field(default_factory=list)  # the organisation's teams, for choosing other owners
    new: list[PlanItem] = field(default_factory=list)
    kept: list[PlanItem] = field(default_factory=list)
    retire: list[Retirement] = field(default_factory=list)

    @property
    def applicable(self) -> list[PlanItem]:
        return sorted([*self.new, *self.kept], key=lambda i: i.control.ref)

    def domain_counts(self) -> list[tuple[str, int]]:
        counts = Counter(item.control.domain for item in self.applicable)
        return [(d.value, counts[d.value]) for d in Domain]

    def practice_counts(self) -> list[tuple[StrOrPromise, list[int], int]]:
        """Rows (practice label, [security, safety, both], total) for practices with controls."""
        counts = Counter((i.control.practice, i.control.domain) for i in self.applicable)
        rows: list[tuple[StrOrPromise, list[int], int]] = []
        for practice in Practice:
            cells = [counts[(practice.value, d.value)] for d in Domain]
            if sum(cells):
                rows.append((practice.label, cells, sum(cells)))
        return rows

    def team_counts(self) -> list[tuple[str, int]]:
        counts = Counter(i.route.team.name for i in self.new if i.route.team)
        return sorted(counts.items())

    @property
    def unrouted(self) -> list[PlanItem]:
        """New controls no team can own yet (the organisation has no team for their domain)."""
        return [i for i in self.new if i.route.team is None]


def compute_plan(assessment: Assessment, profile: dict[str, Any], router: Router | None = None) -> Plan:
    """Evaluate every active control of the organisation's library against `profile`."""
    system = assessment.ai_system
    router = router or Router(assessment.organisation)
    controls = Control.objects.for_org(assessment.organisation).active().order_by("ref")
    current = {
        a.control_id: a
        for a in ControlAssignment.objects.filter(ai_system=system)
        .active()
        .select_related("control", "owner_team", "cosigning_team")
    }
    plan = Plan(profile=profile, teams=router.teams)
    applicable_ids = set()
    for control in controls:
        match = evaluate(control.applies_when, profile)
        if not match.applies:
            continue
        applicable_ids.add(control.pk)
        existing = current.get(control.pk)
        route = router.route(control.domain, control.practice)
        item = PlanItem(control, match.reasons, route, existing)
        (plan.kept if existing else plan.new).append(item)
    for control_id, assignment in current.items():
        if control_id in applicable_ids:
            continue
        if assignment.control.retired_at is not None:
            reason = _("The control was retired from the library.")
        else:
            reason = _("No longer applies: its rule (%(rule)s) does not hold for the confirmed profile.") % {
                "rule": describe(assignment.control.applies_when)
            }
        plan.retire.append(Retirement(assignment, reason))
    plan.retire.sort(key=lambda r: r.assignment.control.ref)
    return plan
