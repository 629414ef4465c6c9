"""Lists of assignments: *My team's work* (with bulk changes) and a system's Controls tab."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user, team_ids
from accounts.models import Role
from audit.versions import cached_for_org, cached_fragment, data_version, fragment_key, kept_list
from core.extensions import CONTROL_READINESS, WORK_PANELS, collect, first
from core.pages import paginate
from core.rendering import fetch_choices, filter_bar_html

from ..forms import AssignmentFilter, BulkForm, WorkFilter
from ..models import DECIDED, AssignmentStatus, ControlAssignment
from ..rules import can_work_on_assignment
from ..services.assignments import assignments_bulk
from ..workflow import ASSIGNMENT
from .common import assignment_list_rows, safe_next, system_page_context, system_queryset, with_quick_actions

CONTROLS_PAGE_SIZE = 100  # a system's Controls tab: most systems fit on one page


# Column sorts (sort_header: `?sort=due`, `?sort=-due`); undated rows last either way. Each list
# adds its own last key: the work list its primary key (then the whole order is on assignment
# columns, which an index can serve), a system's Controls tab the control's reference.
SORTS = {
    "control": ("control__ref", "ai_system__name"),
    "system": ("ai_system__name", "control__ref"),
    "due": ("due_date",),
    "status": ("status", "due_date"),
}
WORK_TIEBREAK = ("pk",)
CONTROLS_TIEBREAK = ("control__ref",)
# Status filters under which a list can hold decided and undecided rows together.
MIXED_STATUSES = ("", AssignmentStatus.NOT_APPLICABLE)


def _ordered(queryset, sort: str = "", *, tiebreak: tuple[str, ...], mixed: bool = True):
    """By the column the user chose, or else overdue work first (most overdue on top), then by
    due date, undated after, decided work at the end.

    Open work sorted by due date is already "overdue first": every overdue row is due before
    today. So the default order needs no computed rank unless decided rows can be in the list
    (`mixed`): the open list is ordered on (due_date, pk), which `assignment_active_due_idx`
    serves in order, and the page's rows are read without sorting the team's thousands."""
    descending, key = sort.startswith("-"), sort.lstrip("-")
    if key in SORTS:
        names = (*SORTS[key], *tiebreak)
        return queryset.order_by(
            *(F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True) for name in names)
        )
    order = [F("due_date").asc(nulls_last=True), *tiebreak]
    if mixed:
        queryset = queryset.annotate(decided_rank=Case(When(DECIDED, then=1), default=0, output_field=IntegerField()))
        order.insert(0, "decided_rank")
    return queryset.order_by(*order)


def _team_count(queryset, teams) -> int:
    """The rows of `queryset` (already limited to the teams) in one query that reads two indexes
    alone: the rows a team owns, plus those it co-signs and does not own. Counting
    `owner IN teams OR cosigning IN teams` visits every row's table page instead (a bitmap OR)."""
    rows = queryset.order_by().values("pk")
    owned = rows.filter(owner_team_id__in=teams)
    cosigned_only = rows.filter(cosigning_team_id__in=teams).exclude(owner_team_id__in=teams)
    return owned.union(cosigned_only, all=True).count()


def _kept_team_count(request: HttpRequest, org, queryset, teams, version: int) -> int:
    """`_team_count`, kept in the cache under the organisation's data version (every change to an
    assignment is audited and moves it), the day (the due-date filters), the member, their teams
    and the filters: counting the ~22,000 open rows of two teams took 5-9 ms of database time on
    every view, the page's rows ~1 ms."""
    filters = sorted((name, values) for name, values in request.GET.lists() if name not in ("page", "sort"))
    facts = (request.user.pk, sorted(teams), filters)
    name = "work-count:" + hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest()
    return cached_for_org(org, name, lambda: _team_count(queryset, teams), version=version)


@dataclass(frozen=True)
class WorkTable:
    """My work's table (caption, rows, paging) for one member and one set of filters, as kept:
    the template's own safe string (the cache keeps its type), or nothing when no row matches."""

    html: str
    has_rows: bool


@login_required
def work_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The assignments the member's teams own or co-sign: a member's home page.

    The filter bar and the table change only with audited changes, so their HTML is kept under
    the organisation's data version (read once): the filter bar (a thousand AI systems to choose
    from) for every member, the table for this member (the actions offered depend on who they
    are: no one verifies their own work). On a hit neither the filters nor the rows are read;
    the table holds no form, its buttons submit the page's one #row-actions form."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    teams = team_ids(membership)
    can_bulk = membership.can_edit
    version = data_version(org)
    key = fragment_key(request, org, version=version)

    @functools.cache
    def filterset() -> WorkFilter:
        data = request.GET.copy()
        if "status" not in data:
            data["status"] = "open"  # what needs doing; "All" is one click away
        base = assignment_list_rows().for_org(org).active().for_teams(teams)
        return WorkFilter(data, queryset=base, org=org, user=request.user)

    def filter_html() -> SafeString:
        return filter_bar_html(filterset().form, clear_url=request.path, label=_("Filter the work"))

    def table() -> WorkTable:
        found = filterset()
        status = found.form.cleaned_data.get("status", "") if found.form.is_valid() else ""
        ordered = _ordered(
            found.qs, request.GET.get("sort", ""), tiebreak=WORK_TIEBREAK, mixed=status in MIXED_STATUSES
        )
        page, query = paginate(
            request, ordered, count=lambda: _kept_team_count(request, org, found.qs, teams, version), read_rows=False
        )
        if not page.paginator.count:
            return WorkTable(html="", has_rows=False)
        rows = with_quick_actions(membership, page.object_list)
        context = {"page": page, "query": query, "rows": rows, "org": org, "can_bulk": can_bulk, "request": request}
        return WorkTable(html=render_to_string("assessments/_work_table.html", context), has_rows=True)

    work = cached_fragment("work-table", f"{request.user.pk}|{key}", table) if teams else None
    bulk_form = BulkForm(team_ids=teams)
    fetch_choices(bulk_form)
    context = {
        "filter_html": cached_fragment("work-filters", key, filter_html) if teams else "",
        "work": work,
        "has_teams": bool(teams),
        "bulk_form": bulk_form,
        "can_bulk": can_bulk,
        "here": request.get_full_path(),
        "panels": collect(WORK_PANELS, membership=membership, version=version),
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
            messages.error(request, " ".join(map(str, error)))
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
    org = membership.organisation
    teams = team_ids(membership)
    filterset = AssignmentFilter(request.GET, queryset=assignment_list_rows().filter(ai_system=system).active())
    # Up to hundreds of rows: pages of 100, and no form per row (each with its own actions);
    # rows are ticked and changed with one shared control (the bulk bar of My work), or opened.
    ordered = _ordered(filterset.qs, request.GET.get("sort", ""), tiebreak=CONTROLS_TIEBREAK)
    can_bulk = membership.can_edit and bool(teams)

    def rows_html(rows):
        context = {"assignments": rows, "org": org, "can_bulk": can_bulk}
        return render_to_string("assessments/_system_control_rows.html", context)

    # The rows show every reader the same thing but for the tick boxes: kept under the data
    # version, with their count and the filter bar, in one variant for those who tick and one
    # for the others.
    kept = kept_list(
        request,
        org,
        "system-controls-tick" if can_bulk else "system-controls",
        filterset,
        rows_html,
        filter_label=_("Filter the controls"),
        ordered=ordered,
        per_page=CONTROLS_PAGE_SIZE,
    )
    bulk_form = BulkForm(team_ids=teams) if can_bulk else None
    fetch_choices(bulk_form)
    retired = list(
        ControlAssignment.objects.filter(ai_system=system, retired_at__isnull=False)
        .select_related("control", "retired_by_assessment")
        .order_by("-retired_at")[:100]
    )
    context = system_page_context(membership, system, "controls")
    context.update(
        {
            "has_rows": kept.has_rows,
            "rows_html": kept.rows_html,
            "filter_html": kept.filter_html,
            "page": kept.page,
            "query": kept.query,
            "retired": retired,
            "readiness": first(CONTROL_READINESS, system=system),
            "bulk_form": bulk_form,
            "can_bulk": can_bulk,
            "here": request.get_full_path(),
        }
    )
    return render(request, "assessments/system_controls.html", context)
