"""Lists of assignments: *My team's work* (with bulk changes) and a system's Controls tab."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user, team_ids
from accounts.models import Role
from core.extensions import collect
from core.pages import paginate

from ..forms import AssignmentFilter, BulkForm, WorkFilter
from ..models import DECIDED, ControlAssignment
from ..readiness import system_readiness
from ..rules import can_work_on_assignment
from ..services.assignments import assignments_bulk
from ..workflow import ASSIGNMENT
from .common import assignment_rows, safe_next, system_page_context, system_queryset, with_quick_actions

# Column sorts (sort_header: `?sort=due`, `?sort=-due`); undated rows last either way.
SORTS = {
    "control": ("control__ref", "ai_system__name"),
    "system": ("ai_system__name", "control__ref"),
    "due": ("due_date", "control__ref"),
    "status": ("status", "control__ref"),
}


def _ordered(queryset, sort: str = ""):
    """By the column the user chose, or else overdue work first (most overdue on top), then by
    due date, undated after, decided work at the end."""
    descending, key = sort.startswith("-"), sort.lstrip("-")
    if key in SORTS:
        return queryset.order_by(
            *(F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in SORTS[key])
        )
    today = timezone.localdate()
    return queryset.annotate(
        overdue_rank=Case(
            When(DECIDED, then=2),
            When(due_date__lt=today, then=0),
            default=1,
            output_field=IntegerField(),
        )
    ).order_by("overdue_rank", F("due_date").asc(nulls_last=True), "ai_system__name", "control__ref")


@login_required
def work_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The assignments the member's teams own or co-sign: a member's home page."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    teams = team_ids(membership)
    base = assignment_rows().for_org(org).active().for_teams(teams)
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "open"  # what needs doing; "All" is one click away
    filterset = WorkFilter(data, queryset=base, org=org, user=request.user)
    ordered = _ordered(filterset.qs, request.GET.get("sort", ""))
    page, query = paginate(request, ordered)
    page.object_list = with_quick_actions(membership, page.object_list)
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "has_teams": bool(teams),
        "bulk_form": BulkForm(team_ids=teams),
        "can_bulk": membership.can_edit,
        "here": request.get_full_path(),
        "panels": collect("work_panels", membership=membership),
    }
    return render(request, "assessments/work_list.html", context)


@login_required
@require_POST
def work_bulk(request: HttpRequest, org_slug: str) -> HttpResponse:
    """One status, due date and/or assignee for the selected rows. Every row must be one the
    member may work on (else 403 and nothing changes); rows whose state does not allow the
    change are skipped, each with its reason."""
    membership = get_membership(request, org_slug, min_role=Role.MEMBER)
    back = safe_next(request, reverse("assessments:work_list", args=[org_slug]))
    form = BulkForm(request.POST, team_ids=team_ids(membership))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(back)
    pairs = form.cleaned_data["selected"]
    assignments = list(
        ControlAssignment.objects.for_org(membership.organisation)
        .filter(pk__in=pairs)
        .select_related("control", "ai_system")
    )
    ensure(len(assignments) == len(pairs), _("Some selected assignments are not in this organisation."))
    action, due_date, assignee = (form.cleaned_data[k] for k in ("action", "due_date", "assignee"))
    for assignment in assignments:
        allowed = (not action or ASSIGNMENT.allows(membership, assignment, action)) and (
            not (due_date or assignee) or can_work_on_assignment(membership, assignment)
        )
        ensure(
            allowed,
            _("You may not change %(ref)s on %(system)s.")
            % {"ref": assignment.control.ref, "system": assignment.ai_system.name},
        )
    result = assignments_bulk(
        actor=request.user,
        items=[(a, pairs[a.pk]) for a in assignments],
        action=action or None,
        due_date=due_date,
        assignee=assignee,
    )
    if result.changed:
        messages.success(request, _("%(n)s assignments changed.") % {"n": len(result.changed)})
    for assignment, reason in result.skipped:
        messages.warning(request, f"{assignment.control.ref}: {reason}")
    return redirect(back)


@login_required
def system_controls(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The system's Controls tab: readiness per domain and every assignment, retired ones apart."""
    membership, system = get_object_for_user(request, org_slug, system_queryset(), pk)
    filterset = AssignmentFilter(request.GET, queryset=assignment_rows().filter(ai_system=system).active())
    rows = with_quick_actions(membership, _ordered(filterset.qs, request.GET.get("sort", "")))
    retired = list(
        ControlAssignment.objects.filter(ai_system=system, retired_at__isnull=False)
        .select_related("control", "retired_by_assessment")
        .order_by("-retired_at")[:100]
    )
    context = system_page_context(membership, system, "controls")
    context.update(
        {
            "assignments": rows,
            "retired": retired,
            "readiness": system_readiness(system),
            "filter": filterset,
            "here": request.get_full_path(),
        }
    )
    return render(request, "assessments/system_controls.html", context)
