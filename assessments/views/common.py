"""Helpers shared by the assessment views."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.access import get_object_for_user
from accounts.models import Membership
from core.choices import Domain
from core.extensions import CONTROL_READINESS, first
from core.rendering import fetch_related
from governance.models import AISystem
from governance.views.inventory import system_page_context

from ..models import Assessment, ControlAssignment, Evidence
from ..workflow import ASSIGNMENT, QUICK_ACTIONS

__all__ = ["system_page_context"]


def system_queryset():
    return AISystem.objects.select_related("owner_team", "retired_by", "created_by")


# The people an assessment names, read in one query after it (core.rendering.fetch_related) rather
# than joined: four joins of the users table made PostgreSQL plan each view's first query for
# ~5 ms, to run it in 0.2 ms.
ASSESSMENT_PEOPLE = ("started_by", "submitted_by", "approved_by", "plan_confirmed_by")


def assessment_queryset():
    return Assessment.objects.select_related("ai_system__owner_team", "organisation")


def with_people(assessment: Assessment) -> Assessment:
    """The assessment with the people it names, for the pages that show them (its detail page)."""
    fetch_related(assessment, *ASSESSMENT_PEOPLE)
    return assessment


def get_assessment(request: HttpRequest, org_slug: str, pk: int, **kwargs) -> tuple[Membership, Assessment]:
    """The assessment `pk` with its system, if the reader may see it (accounts.access); the pages
    that show who started, submitted or approved it add `with_people`."""
    return get_object_for_user(request, org_slug, assessment_queryset(), pk, **kwargs)


def assignment_rows():
    """Assignments as lists show them: related rows joined, current evidence counted (one query).

    The count is a correlated subquery, not a join grouped by assignment: PostgreSQL then counts
    evidence only for the rows of the page (after the sort and the limit), and a paginator's
    count needs no grouping. Grouping all of a team's 30,000 assignments cost ~100 ms per query.
    """
    today = timezone.localdate()
    current = (
        Evidence.objects.filter(assignment=OuterRef("pk"))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return ControlAssignment.objects.select_related(
        "control", "ai_system", "owner_team", "cosigning_team", "assignee"
    ).annotate(current_evidence=Coalesce(Subquery(current, output_field=IntegerField()), 0))


# Long texts that no list of assignments shows (the assignment page reads them): a page of 50
# rows read each control's objective and guidance and each system's description, about a third
# of the rows query's Python time and most of its bytes.
LIST_DEFERRED = (
    "justification",
    "retirement_reason",
    "control__objective",
    "control__guidance",
    "control__evidence_hint",
    "control__applies_when",
    "control__concerns",
    "ai_system__description",
    "ai_system__retirement_reason",
)


def assignment_list_rows():
    """`assignment_rows()` for lists: without the long texts of LIST_DEFERRED."""
    return assignment_rows().defer(*LIST_DEFERRED)


def with_quick_actions(membership, assignments) -> list:
    """Attach the actions each row offers inline to this member (no queries: the evidence count is annotated)."""
    rows = list(assignments)
    for a in rows:
        a.quick_actions = ASSIGNMENT.available(membership, a, QUICK_ACTIONS)
    return rows


def done_message(transition, assignment) -> str:
    """What happened and where it leaves the system: "AC-03 verified. Security readiness of Fraud
    Classifier is now 40 %." (one aggregate query)."""
    message = str(transition.done) % {"ref": assignment.control.ref}
    readiness = first(CONTROL_READINESS, system=assignment.ai_system)  # contributed by the readiness app
    domains = [d for d in readiness.domains if d.percent is not None] if readiness else []
    mine = [d for d in domains if assignment.control.domain in (d.domain, Domain.BOTH)]
    if mine:
        figures = ", ".join(f"{d.domain} {d.percent} %" for d in mine)
        message += " " + _("Readiness of %(system)s is now %(figures)s.") % {
            "system": assignment.ai_system.name,
            "figures": figures,
        }
    return message


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back to after a POST from a list: only a path on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default
