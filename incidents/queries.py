"""Reads other pages and apps use: the times per severity and the open incidents per domain or
system. Each is one aggregate query, computed in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Avg, Count, Max, Q, QuerySet

from accounts.models import Organisation
from core.choices import Domain

from .models import ACTIVE, Incident, IncidentSeverity, time_to_contain, time_to_resolve


@dataclass(frozen=True)
class SeverityTimes:
    severity: str
    label: str
    total: int
    contained: int
    resolved: int
    mean_to_contain: dt.timedelta | None
    mean_to_resolve: dt.timedelta | None
    longest_to_resolve: dt.timedelta | None


def times_by_severity(incidents: QuerySet[Incident]) -> list[SeverityTimes]:
    """Per severity (most severe first, every severity listed): how many incidents, how many
    were contained and resolved, and the mean times from detection. One grouped query; the
    differences are taken between UTC instants, so they do not depend on any time zone."""
    rows = {
        row["severity"]: row
        for row in incidents.order_by()
        .values("severity")
        .annotate(
            total=Count("pk"),
            contained=Count("contained_at"),
            resolved=Count("resolved_at"),
            mean_to_contain=Avg(time_to_contain()),
            mean_to_resolve=Avg(time_to_resolve()),
            longest_to_resolve=Max(time_to_resolve()),
        )
    }
    result = []
    for severity in reversed(IncidentSeverity):
        row: dict[str, Any] = dict(rows.get(severity.value) or {})
        result.append(
            SeverityTimes(
                severity=severity.value,
                label=str(severity.label),
                total=row.get("total", 0),
                contained=row.get("contained", 0),
                resolved=row.get("resolved", 0),
                mean_to_contain=row.get("mean_to_contain"),
                mean_to_resolve=row.get("mean_to_resolve"),
                longest_to_resolve=row.get("longest_to_resolve"),
            )
        )
    return result


def open_counts(organisation: Organisation, *, by: Literal["domain", "system"] = "system", system_ids=None) -> dict:
    """Open incidents (open or contained: still being handled), in one query.

    - `by="domain"`: `{"security": n, "safety": n, "both": n}` (each incident once);
    - `by="system"`: `{system_id: {"security": n, "safety": n, "both": n, "total": n}}` for every
      system with an open incident (an incident counts for each system it affected); `system_ids`
      limits it to those systems.
    """
    active = Incident.objects.for_org(organisation).filter(status__in=ACTIVE)
    if by == "domain":
        found = dict(active.order_by().values_list("domain").annotate(n=Count("pk")))
        return {d.value: found.get(d.value, 0) for d in Domain}
    if system_ids is not None:
        active = active.filter(systems__in=system_ids)
    per_domain = {d.value: Count("pk", filter=Q(domain=d.value)) for d in Domain}
    rows = active.order_by().values("systems").annotate(total=Count("pk"), **per_domain)
    return {row.pop("systems"): row for row in rows}
