from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from audit.services import history_for
from audit.versions import kept_list, kept_template
from core.extensions import SYSTEM_LIST, SYSTEM_LIVE_PANELS, SYSTEM_PANELS, collect

from ..filters import AISystemFilter
from ..forms.inventory import AISystemForm, AISystemRetireForm
from ..models import AISystem
from ..rules import can_create_system, can_edit_system, can_retire_system
from ..services.inventory import ai_system_create, ai_system_retire, ai_system_update


def _system_queryset():
    return AISystem.objects.select_related("owner_team", "retired_by", "created_by")


def system_page_context(membership, system, tab: str) -> dict:
    """What every tab of the AI-system page needs: permissions and the tabs other apps add."""
    return {
        "system": system,
        "tab": tab,
        "tabs": collect("system_tabs", system=system, membership=membership),
        "can_edit": can_edit_system(membership, system),
        "can_retire": can_retire_system(membership, system),
    }


@login_required
def system_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    org = membership.organisation
    systems = AISystem.objects.for_org(org).select_related("owner_team")
    # Columns and filters of higher apps (readiness: security %, safety %, audit-ready).
    contributions = collect(SYSTEM_LIST, membership=membership)
    extra_filters = {name: f for c in contributions for name, f in c.filters.items()}
    filterset = AISystemFilter(request.GET, queryset=systems, org=org, extra_filters=extra_filters)

    def rows_html(rows) -> SafeString:
        for system in rows:
            system.extra_cells = []
        for contribution in contributions:
            cells = contribution.cells(rows)
            for system in rows:
                system.extra_cells.extend(cells.get(system.pk, []))
        return render_to_string("governance/_aisystem_rows.html", {"rows": rows, "org": org})

    # The rows show every reader the same thing and change only with an audited change (the
    # readiness columns are cached under the same version): on a hit neither the rows nor their
    # readiness are read.
    kept = kept_list(request, org, "inventory", filterset, rows_html, filter_label=_("Filter AI systems"))
    context = {
        "filter": filterset,
        "filter_html": kept.filter_html,
        "extra_headers": [header for c in contributions for header in c.headers],
        "clear_url": request.path,
        "page": kept.page,
        "rows": kept.has_rows,
        "rows_html": kept.rows_html,
        "query": kept.query,
        # Tells "no systems yet" (an empty state with a first step) from "no match for the filters".
        "is_empty": not kept.has_rows and not AISystem.objects.for_org(org).exists(),
        "can_create": can_create_system(membership),
    }
    return render(request, "governance/aisystem_list.html", context)


@login_required
def system_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.MEMBER)
    org = membership.organisation
    form = AISystemForm(request.POST or None, org=org)
    outcome = run_service(
        form,
        lambda: ai_system_create(actor=request.user, organisation=org, data=form.profile_data()),
        actor=request.user,
    )
    if outcome.saved and outcome.result is not None:
        system = outcome.result
        messages.success(request, _("“%(name)s” added to the inventory.") % {"name": system.name})
        return redirect("governance:system_detail", org_slug, system.pk)
    return render(request, "governance/aisystem_form.html", {"form": form})


@login_required
def system_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, system = get_object_for_user(request, org_slug, _system_queryset(), pk)
    context = system_page_context(membership, system, "overview")
    # The other apps' panels show every reader the same thing and change only with an audited
    # change (core/extensions.py): kept under the data version; the live ones are made each view.
    context["panels_html"] = kept_template(
        request,
        membership.organisation,
        "governance/_system_panels.html",
        lambda: {"panels": collect(SYSTEM_PANELS, system=system, membership=membership)},
    )
    context["live_panels"] = collect(SYSTEM_LIVE_PANELS, system=system, membership=membership)
    return render(request, "governance/aisystem_detail.html", context)


@login_required
def system_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, system = get_object_for_user(request, org_slug, _system_queryset(), pk, min_role=Role.MEMBER)
    ensure(can_edit_system(membership, system), _("Only leads and the owner team can change this system."))
    form = AISystemForm(request.POST or None, instance=system, org=membership.organisation)
    outcome = run_service(
        form,
        lambda: ai_system_update(
            actor=request.user, system=system, expected_version=form.cleaned_data["version"], data=form.profile_data()
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(request, _("Changes saved."))
        return redirect("governance:system_detail", org_slug, pk)
    context = {"form": form, "system": system, "conflict": outcome.conflict}
    return render(request, "governance/aisystem_form.html", context)


@login_required
def system_retire(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, system = get_object_for_user(request, org_slug, _system_queryset(), pk, min_role=Role.LEAD)
    ensure(can_retire_system(membership, system), _("This system is already retired."))
    form = AISystemRetireForm(request.POST or None, instance=system)
    outcome = run_service(
        form,
        lambda: ai_system_retire(
            actor=request.user,
            system=system,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(
            request, _("“%(name)s” is retired. It stays in the inventory with its history.") % {"name": system.name}
        )
        return redirect("governance:system_detail", org_slug, pk)
    context = {"form": form, "system": system, "conflict": outcome.conflict}
    return render(request, "governance/aisystem_retire.html", context)


@login_required
def system_history(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, system = get_object_for_user(request, org_slug, _system_queryset(), pk)
    context = system_page_context(membership, system, "history")
    context["events"] = history_for(system)
    return render(request, "governance/aisystem_history.html", context)
