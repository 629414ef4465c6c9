"""Readiness pages: the dashboard, the lists its numbers link to, and framework coverage."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_membership, get_object_for_user
from accounts.models import Role
from assessments.views.common import assignment_list_rows
from audit.versions import cached_for_org, kept_template
from core.pages import paginate
from core.rendering import fetch_choices
from governance.models import AISystem, Framework
from governance.views.inventory import system_page_context
from threats.models import RedTeamFinding

from . import coverage as cov
from . import dashboard as dash
from . import engine
from .forms import FindingFilter, OrganisationWorkFilter

PERIODS = {"90": 90, "365": 365}
GRID_ROWS = 100  # the practice grid lists this many systems, not-ready first
NOT_READY_CARDS = 12  # a card each, with what fails, for the first not-ready systems


@login_required
def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Audit-ready systems, why the others are not, security vs safety, team load, the practice
    grid and the trends (from snapshots). The organisation's readiness is cached under its data
    version (the audit chain head moves with every change) and today's date."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    domains = dash.visible_domains(membership)

    def body_context():
        summary = cached_for_org(
            org,
            "dashboard-digest",
            lambda: dash.digest(org, engine.for_organisation(org), GRID_ROWS),
            per_language=True,
        )
        return {
            "readiness": summary,
            "ready_count": summary.ready_count,
            "not_ready": summary.not_ready[:NOT_READY_CARDS],
            "not_ready_count": summary.not_ready_count,
            "sides": dash.sides(org, summary.totals, domains),
            "teams": dash.team_rows(org),
            "practices": summary.practices,
            "grid": summary.grid,
            "grid_more": max(summary.total - GRID_ROWS, 0),
        }

    period = request.GET.get("period", "90")
    days = PERIODS.get(period, 90)
    context = {
        # Everything but the trends (read from snapshots, which are not audited changes) is kept
        # under the data version, in one variant per set of domains a reader sees.
        "body": kept_template(request, org, "readiness/_dashboard_body.html", body_context, vary=",".join(domains)),
        "charts": dash.trends(org, days),
        "period": str(days),
        "can_snapshot": membership.role in (Role.ADMIN, Role.LEAD),
    }
    return render(request, "readiness/dashboard.html", context)


@login_required
@require_POST
def snapshot_now(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Take today's snapshot now (queued; the upsert makes a second click harmless)."""
    membership = get_membership(request, org_slug, min_role=Role.LEAD)
    from .tasks import snapshot_organisation_task

    org_id = membership.organisation.pk
    transaction.on_commit(lambda: snapshot_organisation_task.delay(org_id))
    messages.success(request, _("Today's readiness snapshot is being taken; the trends include it shortly."))
    return redirect("readiness:dashboard", org_slug)


def _filtered_list(request, filterset, order: tuple[str, ...], label: str) -> dict:
    """The context of templates/list_page.html for a filter set's rows, a page at a time."""
    page, query = paginate(request, filterset.qs.order_by(*order))
    fetch_choices(filterset.form)
    return {
        "filter_form": filterset.form,
        "filter_label": label,
        "clear_url": request.path,
        "page": page,
        "rows": page.object_list,
        "query": query,
    }


@login_required
def work(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every team's control assignments, filtered: where the dashboard's numbers lead."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    base = assignment_list_rows().for_org(org).active()
    filterset = OrganisationWorkFilter(request.GET, queryset=base, org=org, user=request.user)
    context = _filtered_list(request, filterset, ("due_date", "pk"), _("Filter the work"))
    return render(request, "readiness/work_list.html", context)


@login_required
def findings(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Red-team findings of every system (latest version of each exercise), open ones by default."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    base = RedTeamFinding.objects.filter(organisation=org, exercise__is_latest=True).select_related(
        "exercise", "exercise__ai_system"
    )
    filterset = FindingFilter(request.GET, queryset=base, org=org)
    context = _filtered_list(request, filterset, ("-severity", "created_at", "pk"), _("Filter findings"))
    return render(request, "readiness/finding_list.html", context)


@login_required
def coverage(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Framework coverage of every system in service (a page of systems at a time)."""
    membership = get_membership(request, org_slug)
    org = membership.organisation

    def table_context():
        page, query = paginate(request, engine.systems_in_service(org).order_by("name", "pk"))
        systems = list(page.object_list)
        frameworks = cov.frameworks_for(org)
        by_system = cov.for_systems(org, systems, frameworks)
        rows = []
        for system in systems:
            # A framework's drill-down sits under the system's coverage tab (readiness/urls.py):
            # one reverse() per system instead of one per cell (~400 per page, ~8 ms).
            tab = reverse("readiness:system_coverage", args=[org.slug, system.pk])
            cells = [
                c.cell(f"{tab}{c.framework.pk}/") for c in sorted(by_system[system.pk], key=lambda c: c.framework.name)
            ]
            rows.append((system, cells))
        return {"page": page, "query": query, "rows": rows, "frameworks": frameworks}

    # The same for every reader: kept whole (count, cells and paging) under the data version.
    table = kept_template(request, org, "readiness/_coverage_table.html", table_context)
    return render(request, "readiness/coverage.html", {"table": table})


def _system(request, org_slug, pk):
    return get_object_for_user(
        request, org_slug, AISystem.objects.select_related("owner_team", "retired_by", "created_by"), pk
    )


@login_required
def system_coverage(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The system's Framework coverage tab: per framework, covered / partly / uncovered items."""
    membership, system = _system(request, org_slug, pk)
    context = system_page_context(membership, system, "coverage")
    context["coverage"] = cov.for_systems(membership.organisation, [system])[system.pk]
    return render(request, "readiness/system_coverage.html", context)


@login_required
def system_framework(request: HttpRequest, org_slug: str, pk: int, framework: int) -> HttpResponse:
    """One framework's items for the system, each with its state and the controls mapped to it."""
    membership, system = _system(request, org_slug, pk)
    chosen = Framework.objects.for_org(membership.organisation).filter(pk=framework).first()
    if chosen is None:
        raise Http404
    rows = cov.drill_down(system, chosen)
    state = request.GET.get("state", "")
    counts = {name: sum(1 for r in rows if r.state == name) for name in ("covered", "partly", "uncovered")}
    context = system_page_context(membership, system, "coverage")
    context.update(
        {
            "framework": chosen,
            "rows": [r for r in rows if r.state == state] if state in counts else rows,
            "counts": counts,
            "state": state,
            "why": cov.focus_reason(system, chosen),
        }
    )
    return render(request, "readiness/system_framework.html", context)
