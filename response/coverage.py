"""The readiness question other apps ask: is each system covered by an approved IR plan that is
within its review cadence, with a tabletop exercise of that plan within the tabletop cadence?

    coverage(system_ids) -> {system_id: Coverage(ok, reason, plan, last_tabletop)}

Two queries whatever the number of systems: the covering plan links (with the newest signed-off
tabletop of each plan's series as a subquery), then those tabletops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from records.models import RecordStatus

from .models import IncidentResponsePlan, TabletopExercise


class Coverage(NamedTuple):
    ok: bool
    reason: str
    plan: IncidentResponsePlan | None
    last_tabletop: TabletopExercise | None


def _current_approved():
    """Approved plan versions with no newer approved version in their series: a version that was
    superseded by an approved successor no longer speaks for the plan (it may have covered
    systems the successor dropped)."""
    newer = IncidentResponsePlan.objects.filter(
        series=OuterRef("series"), status=RecordStatus.APPROVED, record_version__gt=OuterRef("record_version")
    )
    return IncidentResponsePlan.objects.filter(status=RecordStatus.APPROVED).exclude(Exists(newer))


def _judge(plan, tabletop, today: dt.date) -> Coverage:
    if plan.is_overdue(today):
        return Coverage(
            False,
            _("The IR plan “%(title)s” was due for review on %(date)s.")
            % {"title": plan.title, "date": date_format(plan.next_review_due, "j M Y")},
            plan,
            tabletop,
        )
    if tabletop is None:
        return Coverage(
            False,
            _("The IR plan “%(title)s” has no signed-off tabletop exercise yet.") % {"title": plan.title},
            plan,
            None,
        )
    cadence = plan.organisation.tabletop_cadence_days
    if tabletop.held_on + dt.timedelta(days=cadence) < today:
        return Coverage(
            False,
            _("The last tabletop exercise of “%(title)s” was on %(date)s; one is due every %(days)s days.")
            % {"title": plan.title, "date": date_format(tabletop.held_on, "j M Y"), "days": cadence},
            plan,
            tabletop,
        )
    return Coverage(
        True,
        _("Covered by the approved IR plan “%(title)s”; last tabletop exercise on %(date)s.")
        % {"title": plan.title, "date": date_format(tabletop.held_on, "j M Y")},
        plan,
        tabletop,
    )


def coverage(system_ids: Iterable[int], today: dt.date | None = None) -> dict[int, Coverage]:
    """For each system id: whether the gate passes, why, the plan judged and its last tabletop.
    When several approved plans cover a system, a passing one wins, else the latest approved."""
    ids = list(system_ids)
    today = today or timezone.localdate()
    # The newest signed-off tabletop of the plan's series: an exercise of an earlier version of
    # the same plan still counts for the version in force.
    latest_tabletop = (
        TabletopExercise.objects.filter(
            plan__series=OuterRef("incidentresponseplan__series"), status=RecordStatus.APPROVED
        )
        .order_by("-held_on", "-pk")
        .values("pk")[:1]
    )
    through = IncidentResponsePlan.systems.through
    links: list[Any] = list(  # through rows, annotated
        through.objects.filter(aisystem_id__in=ids, incidentresponseplan__in=_current_approved())
        .select_related("incidentresponseplan__organisation")
        .annotate(last_tabletop_id=Subquery(latest_tabletop))
        .order_by("-incidentresponseplan__approved_at", "-incidentresponseplan_id")
    )
    tabletop_ids = {link.last_tabletop_id for link in links if link.last_tabletop_id}
    tabletops = {t.pk: t for t in TabletopExercise.objects.filter(pk__in=tabletop_ids)} if tabletop_ids else {}
    result: dict[int, Coverage] = {}
    for link in links:
        judged = _judge(link.incidentresponseplan, tabletops.get(link.last_tabletop_id), today)
        seen = result.get(link.aisystem_id)
        if seen is None or (judged.ok and not seen.ok):
            result[link.aisystem_id] = judged
    for system_id in ids:
        result.setdefault(
            system_id, Coverage(False, _("No approved incident-response plan covers this system."), None, None)
        )
    return result
