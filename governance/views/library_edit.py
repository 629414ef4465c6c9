"""Changing the organisation's own library (leads and admins), and moving it in and out as files."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.access import AUDIT_READERS, ensure, get_membership
from accounts.models import Role
from audit.editing import run_service

from ..forms.library import ControlForm, ControlRetireForm, FrameworkForm, LibraryExportForm, LibraryImportForm
from ..library import LibraryInvalid
from ..library.documents import parse
from ..library.exporter import export_library
from ..models import Control, Framework
from ..rules import can_edit_library_entry, get_library_object_for_user
from ..services import library as services
from .library import library_context

ONLY_OWN = "Built-in library content changes only with a library release; retired entries stay as they are."


def _crosswalk_url(org_slug: str, framework: Framework) -> str:
    """Where a framework is shown: its crosswalk."""
    return f"{reverse('governance:crosswalk', args=[org_slug])}?{urlencode({'framework': framework.key})}"


T = TypeVar("T")


def _save(form, save: Callable[[], T], *, actor) -> tuple[T | None, dict | None]:
    """Run a service for a valid form: (result, None), or (None, conflict) with errors on the form.
    The user's choices about hidden characters are audited with the change."""
    outcome = run_service(form, save, actor=actor)
    return outcome.result, outcome.conflict


@login_required
def control_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.LEAD)
    org = membership.organisation
    form = ControlForm(request.POST or None)
    control, _conflict = _save(
        form,
        lambda: services.control_create(actor=request.user, organisation=org, spec=form.spec()),
        actor=request.user,
    )
    if control:
        messages.success(request, _("Control %(ref)s added to your library.") % {"ref": control.ref})
        return redirect("governance:control_detail", org_slug, control.pk)
    return render(request, "governance/library/control_form.html", library_context(membership, "controls", form=form))


@login_required
def control_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, control = get_library_object_for_user(
        request, org_slug, Control.objects.prefetch_related("mappings__framework"), pk, min_role=Role.LEAD
    )
    ensure(can_edit_library_entry(membership, control), _(ONLY_OWN))
    form = ControlForm(request.POST or None, control=control)

    def save():
        return services.control_update(
            actor=request.user, control=control, expected_version=form.cleaned_data["version"], spec=form.spec()
        )

    saved, conflict = _save(form, save, actor=request.user)
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect("governance:control_detail", org_slug, pk)
    context = library_context(membership, "controls", form=form, control=control, conflict=conflict)
    return render(request, "governance/library/control_form.html", context)


@login_required
def control_retire(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, control = get_library_object_for_user(request, org_slug, Control.objects.all(), pk, min_role=Role.LEAD)
    ensure(can_edit_library_entry(membership, control), _(ONLY_OWN))
    form = ControlRetireForm(request.POST or None, instance=control)
    retired, conflict = _save(
        form,
        lambda: services.control_retire(
            actor=request.user,
            control=control,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        actor=request.user,
    )
    if retired:
        messages.success(
            request, _("Control %(ref)s is retired. It stays readable with its history.") % {"ref": control.ref}
        )
        return redirect("governance:control_detail", org_slug, pk)
    context = library_context(membership, "controls", form=form, control=control, conflict=conflict)
    return render(request, "governance/library/control_retire.html", context)


@login_required
def framework_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.LEAD)
    org = membership.organisation
    form = FrameworkForm(request.POST or None)
    framework, _conflict = _save(
        form,
        lambda: services.framework_create(actor=request.user, organisation=org, spec=form.spec()),
        actor=request.user,
    )
    if framework:
        messages.success(request, _("Framework “%(name)s” added to your library.") % {"name": framework.name})
        return redirect(_crosswalk_url(org_slug, framework))
    return render(
        request, "governance/library/framework_form.html", library_context(membership, "frameworks", form=form)
    )


@login_required
def framework_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, framework = get_library_object_for_user(
        request, org_slug, Framework.objects.all(), pk, min_role=Role.LEAD
    )
    ensure(can_edit_library_entry(membership, framework), _(ONLY_OWN))
    form = FrameworkForm(request.POST or None, framework=framework)

    def save():
        return services.framework_update(
            actor=request.user, framework=framework, expected_version=form.cleaned_data["version"], spec=form.spec()
        )

    saved, conflict = _save(form, save, actor=request.user)
    if saved:
        messages.success(request, _("Changes saved."))
        return redirect(_crosswalk_url(org_slug, framework))
    context = library_context(membership, "frameworks", form=form, framework=framework, conflict=conflict)
    return render(request, "governance/library/framework_form.html", context)


@login_required
def library_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Upload a library file into the organisation's own library: every error listed, or all of it saved."""
    membership = get_membership(request, org_slug, min_role=Role.LEAD)
    org = membership.organisation
    form = LibraryImportForm(request.POST or None, request.FILES or None)
    errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = parse(upload.read(), name=upload.name)
            report = services.library_import(
                actor=request.user, organisation=org, document=document, source=upload.name
            )
        except LibraryInvalid as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Imported %(file)s: %(report)s.") % {"file": upload.name, "report": report})
            return redirect(f"{reverse('governance:control_list', args=[org_slug])}?source=own")
    context = library_context(membership, "import", form=form, errors=errors)
    return render(request, "governance/library/import.html", context)


@login_required
def library_export(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Download the library file: the organisation's own content, or the built-in library."""
    membership = get_membership(request, org_slug, roles=AUDIT_READERS)
    org = membership.organisation
    form = LibraryExportForm(request.GET if "format" in request.GET else None)
    if form.is_valid():
        fmt, scope = form.cleaned_data["format"], form.cleaned_data["scope"]
        text = export_library(org if scope == "own" else None, fmt)
        name = f"{slugify(org.slug) if scope == 'own' else 'bastion-builtin'}-library.{fmt}"
        content_type = "application/json" if fmt == "json" else "application/yaml"
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "governance/library/export.html", library_context(membership, "export", form=form))
