"""Pages of the AI-BOM: the Components tab, one component, its approval, the CycloneDX export
and import, and the organisation-wide list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from audit.services import history_for
from core.concurrency import EditConflict
from core.pages import paginate
from governance.models import AISystem
from governance.rules import can_edit_system
from governance.views.inventory import system_page_context

from . import bom, rules, services
from .forms import (
    BomImportForm,
    ComponentFilterForm,
    ComponentForm,
    ComponentRetireForm,
    DecisionForm,
    ProfileSuggestionForm,
)
from .models import Component, Kind
from .summary import build, of_systems
from .workflow import COMPONENT

TAB = "components"


def _system(request, org_slug, pk, **kwargs):
    return get_object_for_user(request, org_slug, AISystem.objects.select_related("owner_team"), pk, **kwargs)


def _component(request, org_slug, pk, **kwargs):
    queryset = Component.objects.select_related(
        "ai_system__owner_team", "owner_team", "created_by", "proposed_by", "decided_by", "retired_by"
    )
    return get_object_for_user(request, org_slug, queryset, pk, **kwargs)


@login_required
def system_components(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The Components tab: every active component by kind, the profile warnings and suggestions."""
    membership, system = _system(request, org_slug, pk)
    rows = list(Component.objects.filter(ai_system=system).select_related("owner_team").order_by("kind", "name"))
    active = [c for c in rows if c.retired_at is None]
    found = build(system, active)
    context = system_page_context(membership, system, TAB)
    context.update(
        {
            "found": found,
            "groups": [(kind, label, found.of_kind(kind)) for kind, label in Kind.choices],
            "retired": [c for c in rows if c.retired_at is not None],
            "can_add": rules.can_add_component(membership, system),
            "can_edit_profile": can_edit_system(membership, system),
            "kinds": Kind.choices,
        }
    )
    return render(request, "components/system_components.html", context)


@login_required
def component_create(request: HttpRequest, org_slug: str, pk: int, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404("No such kind of component")
    membership, system = _system(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(rules.can_add_component(membership, system), _("Leads and the system's owner team add components to it."))
    form = ComponentForm(
        request.POST or None,
        org=membership.organisation,
        kind=kind,
        instance=Component(organisation=membership.organisation, ai_system=system, kind=kind),
        initial={"owner_team": system.owner_team_id},
    )
    outcome = run_service(
        form,
        lambda: services.component_create(actor=request.user, system=system, kind=kind, data=form.component_data()),
        actor=request.user,
    )
    if outcome.saved and outcome.result is not None:
        component = outcome.result
        if component.needs_approval:
            messages.success(request, _("%(name)s added. It awaits a security lead's approval.") % {"name": component})
        else:
            messages.success(request, _("%(name)s added.") % {"name": component})
        return redirect("components:system_components", org_slug, pk)
    context = system_page_context(membership, system, TAB)
    context.update({"form": form, "kind_label": Kind(kind).label})
    return render(request, "components/component_form.html", context)


@login_required
def component_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, component = _component(request, org_slug, pk)
    system = component.ai_system
    system.organisation = membership.organisation
    context = system_page_context(membership, system, TAB)
    context.update(
        {
            "component": component,
            "actions": COMPONENT.available(membership, component) if component.needs_approval else [],
            "decision_form": DecisionForm(initial={"version": component.version}),
            "can_change": rules.can_change_component(membership, component),
            "events": history_for(component, limit=50),
        }
    )
    return render(request, "components/component_detail.html", context)


@login_required
def component_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, component = _component(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(rules.can_change_component(membership, component), _("Leads and the owner teams change a component."))
    form = ComponentForm(request.POST or None, org=membership.organisation, kind=component.kind, instance=component)
    outcome = run_service(
        form,
        lambda: services.component_update(
            actor=request.user,
            component=component,
            expected_version=form.cleaned_data["version"],
            data=form.component_data(),
        ),
        actor=request.user,
        about=component,
    )
    if outcome.saved and outcome.result is not None:
        saved = outcome.result
        if saved.needs_approval and saved.approval != component.approval:
            messages.warning(request, _("Changes saved. The change is material: it awaits security approval again."))
        else:
            messages.success(request, _("Changes saved."))
        return redirect("components:component_detail", org_slug, pk)
    system = component.ai_system
    context = system_page_context(membership, system, TAB)
    context.update({"form": form, "component": component, "conflict": outcome.conflict})
    return render(request, "components/component_form.html", context)


@login_required
def component_retire(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, component = _component(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(rules.can_change_component(membership, component), _("Leads and the owner teams retire a component."))
    form = ComponentRetireForm(request.POST or None, instance=component)
    outcome = run_service(
        form,
        lambda: services.component_retire(
            actor=request.user,
            component=component,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        actor=request.user,
        about=component,
    )
    if outcome.saved:
        messages.success(request, _("%(name)s retired.") % {"name": component})
        return redirect("components:system_components", org_slug, component.ai_system_id)
    context = system_page_context(membership, component.ai_system, TAB)
    context.update({"form": form, "component": component, "conflict": outcome.conflict})
    return render(request, "components/component_retire.html", context)


@login_required
@require_POST
def component_act(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Approve, reject, revoke or propose again: decided by the workflow on the locked row."""
    membership, component = _component(request, org_slug, pk, min_role=Role.MEMBER)
    form = DecisionForm(request.POST)
    name = request.POST.get("action", "")
    if name not in COMPONENT:
        messages.error(request, _("Choose an action."))
        return redirect("components:component_detail", org_slug, pk)
    transition = COMPONENT[name]
    ensure(COMPONENT.allows(membership, component, name), str(transition.refusal))
    if not form.is_valid():
        messages.error(request, _("The decision could not be read; try again."))
        return redirect("components:component_detail", org_slug, pk)
    try:
        COMPONENT.take(
            actor=request.user,
            record=component,
            name=name,
            expected_version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
        )
    except EditConflict:
        messages.error(request, _("Someone changed this component since you opened it; check it and decide again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(transition.done))
    return redirect("components:component_detail", org_slug, pk)


@login_required
@require_POST
def profile_suggestion_apply(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The one-click "update profile" a component suggested, through the profile's own service."""
    membership, system = _system(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(can_edit_system(membership, system), _("Only leads and the owner team can change this system."))
    form = ProfileSuggestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The suggestion could not be read; try again."))
        return redirect("components:system_components", org_slug, pk)
    try:
        services.profile_suggestion_apply(
            actor=request.user,
            system=system,
            expected_version=form.cleaned_data["version"],
            flag=form.cleaned_data["flag"],
        )
    except EditConflict:
        messages.error(request, _("The profile changed since you opened this page; check the suggestion again."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        assessment = reverse("assessments:system_assessment", args=[org_slug, pk])
        messages.success(request, _("Profile updated. Start a re-assessment to add the controls that now apply."))
        return redirect(assessment)
    return redirect("components:system_components", org_slug, pk)


def _download(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.cyclonedx+json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def system_bom(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The system's AI-BOM as CycloneDX JSON (what the Components tab shows, so every role)."""
    _membership, system = _system(request, org_slug, pk)
    components = of_systems([system.pk])[system.pk]
    stamp = timezone.localdate().isoformat()
    return _download(bom.to_json(bom.system_bom(system, components)), f"{slugify(system.name)}-aibom-{stamp}.cdx.json")


@login_required
def organisation_bom(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every active system of the organisation with its components, in one CycloneDX JSON BOM."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    systems = list(AISystem.objects.for_org(org).filter(retired_at__isnull=True).select_related("owner_team"))
    components = of_systems([s.pk for s in systems])
    stamp = timezone.localdate().isoformat()
    content = bom.to_json(bom.organisation_bom(org, systems, components))
    return _download(content, f"{org.slug}-aibom-{stamp}.cdx.json")


@login_required
def bom_import(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Upload a CycloneDX JSON BOM: every problem listed and nothing written, or all of it."""
    membership, system = _system(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(rules.can_add_component(membership, system), _("Leads and the system's owner team add components to it."))
    form = BomImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data["file"].read(bom.MAX_BYTES + 1)
        try:
            result = services.bom_import(actor=request.user, system=system, data=data)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _("Import done: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
                % {"created": len(result.created), "updated": len(result.updated), "unchanged": result.unchanged}
                + (
                    " " + _("%(n)s entries of other types (libraries, files…) were skipped.") % {"n": result.skipped}
                    if result.skipped
                    else ""
                ),
            )
            return redirect("components:system_components", org_slug, pk)
    context = system_page_context(membership, system, TAB)
    context.update({"form": form, "problems": problems})
    return render(request, "components/bom_import.html", context)


@login_required
def component_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every active component of the organisation; filter by kind and approval (security leads
    find what awaits them here)."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    form = ComponentFilterForm(request.GET or None)
    rows = (
        Component.objects.for_org(org)
        .active()
        .select_related("ai_system", "owner_team")
        .order_by("ai_system__name", "kind", "name", "pk")
    )
    if form.is_valid():
        if kind := form.cleaned_data["kind"]:
            rows = rows.filter(kind=kind)
        if approval := form.cleaned_data["approval"]:
            rows = rows.filter(approval=approval)
    page, query = paginate(request, rows)
    context = {
        "filter_form": form,
        "filter_label": _("Filter components"),
        "clear_url": request.path,
        "page": page,
        "rows": page.object_list,
        "query": query,
        "is_empty": not page.object_list and not Component.objects.for_org(org).exists(),
    }
    return render(request, "components/component_list.html", context)
