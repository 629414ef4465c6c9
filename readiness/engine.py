"""The readiness engine: the public API other apps (reports, api) build on.

    for_systems(org, system_ids, as_of=None) -> {system id: SystemReadiness}
    for_organisation(org, as_of=None) -> OrganisationReadiness

Both run a fixed number of queries however many systems they are asked about: the systems'
names (one), their control readiness (one grouped query), and each gate of `gates.GATES` (one or
two each). `as_of` judges an earlier day from the timestamps the records carry (backfills).

The rule is DESIGN.md's "Readiness", explained for auditors in docs/readiness.md: a system is
audit-ready when every gate passes and its control readiness reaches the organisation's threshold
in both domains (security and safety).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from assessments.models import ControlAssignment
from core.choices import Domain
from governance.models import AISystem

from .controls import EMPTY_ROW, READINESS_DOMAINS, ControlReadiness, DomainReadiness, end_of, from_row
from .controls import readiness_by_system as _readiness_by_system
from .gates import GateContext, GateResult, evaluate_all

__all__ = [
    "ControlReadiness",
    "DomainReadiness",
    "GateResult",
    "OrganisationReadiness",
    "SystemReadiness",
    "for_organisation",
    "for_systems",
    "systems_in_service",
]


@dataclass
class SystemReadiness:
    system_id: int
    name: str
    controls: ControlReadiness
    gates: list[GateResult]
    threshold: int
    control_checks: list[GateResult] = field(default_factory=list)

    def domain(self, name: str) -> DomainReadiness:
        return self.controls.domain(name)

    @property
    def security(self) -> DomainReadiness:
        return self.domain(Domain.SECURITY)

    @property
    def safety(self) -> DomainReadiness:
        return self.domain(Domain.SAFETY)

    @property
    def checks(self) -> list[GateResult]:
        """Every gate, then control readiness against the threshold per domain."""
        return [*self.gates, *self.control_checks]

    @property
    def failing(self) -> list[GateResult]:
        return [check for check in self.checks if not check.passed]

    @property
    def audit_ready(self) -> bool:
        return not self.failing

    def gate(self, key: str) -> GateResult:
        return next(g for g in self.gates if g.key == key)


@dataclass
class OrganisationReadiness:
    systems: list[SystemReadiness]
    threshold: int

    @property
    def total(self) -> int:
        return len(self.systems)

    @property
    def ready(self) -> list[SystemReadiness]:
        return [s for s in self.systems if s.audit_ready]

    @property
    def not_ready(self) -> list[SystemReadiness]:
        return [s for s in self.systems if not s.audit_ready]


def _control_check(org: Organisation, system_id: int, d: DomainReadiness, threshold: int) -> GateResult:
    label = _("%(domain)s controls") % {"domain": d.get_domain_display()}
    url = reverse("assessments:system_controls", args=[org.slug, system_id]) + f"?domain={d.domain}&status=open"
    figures = {"p": d.percent, "v": d.verified, "a": d.applicable, "t": threshold}
    if d.percent is None:
        return GateResult(f"controls_{d.domain}", label, True, _("No control of this domain applies."), url)
    if d.percent >= threshold:
        reason = _("%(p)s %% verified (%(v)s of %(a)s), at or above the %(t)s %% threshold.") % figures
        return GateResult(f"controls_{d.domain}", label, True, reason, url)
    reason = _("%(p)s %% verified (%(v)s of %(a)s), below the %(t)s %% threshold.") % figures
    if d.awaiting_verification:
        reason += " " + _("%(n)s await verification.") % {"n": d.awaiting_verification}
    return GateResult(f"controls_{d.domain}", label, False, reason, url)


def for_systems(
    org: Organisation, system_ids, *, as_of: dt.date | None = None, names: dict[int, str] | None = None
) -> dict[int, SystemReadiness]:
    """Readiness of the organisation's systems among `system_ids`, keyed by id (ids of other
    organisations are ignored). `names` (id → name) saves the query for them when known."""
    ids = list(system_ids)
    if names is None:
        names = dict(AISystem.objects.filter(organisation=org, pk__in=ids).values_list("pk", "name"))
    else:
        names = {pk: name for pk, name in names.items() if pk in set(ids)}
    ids = list(names)
    if not ids:
        return {}
    controls = _readiness_by_system(
        ControlAssignment.objects.filter(organisation=org, ai_system_id__in=ids), as_of=as_of
    )
    today = as_of or timezone.localdate()
    gates = evaluate_all(GateContext(org=org, system_ids=ids, today=today, as_of=as_of))
    threshold = org.readiness_threshold
    result = {}
    for pk in ids:
        control = controls.get(pk) or from_row(EMPTY_ROW)
        result[pk] = SystemReadiness(
            system_id=pk,
            name=names[pk],
            controls=control,
            gates=gates[pk],
            threshold=threshold,
            control_checks=[_control_check(org, pk, control.domain(d), threshold) for d in READINESS_DOMAINS],
        )
    return result


def systems_in_service(org: Organisation, as_of: dt.date | None = None):
    """The organisation's systems that count for readiness: not retired (on the day judged)."""
    systems = AISystem.objects.filter(organisation=org)
    if as_of is None:
        return systems.filter(retired_at__isnull=True)
    end = end_of(as_of)
    return systems.filter(Q(created_at__lte=end) & (Q(retired_at__isnull=True) | Q(retired_at__gt=end)))


def for_organisation(org: Organisation, *, as_of: dt.date | None = None) -> OrganisationReadiness:
    """Every system in service, sorted by name: the same fixed number of queries as for_systems."""
    names = dict(systems_in_service(org, as_of).order_by("name", "pk").values_list("pk", "name"))
    by_id = for_systems(org, names, as_of=as_of, names=names)
    return OrganisationReadiness([by_id[pk] for pk in names], org.readiness_threshold)
