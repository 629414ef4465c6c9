"""Audit pack pages: request, watch the build (htmx polls the job row), download (audited)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AUDIT_READERS, get_membership, get_object_for_user
from audit.editing import run_service
from core.pages import paginate
from core.rendering import fetch_choices

from . import services
from .forms import PackRequestForm
from .models import AuditPack


@login_required
def pack_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every audit pack of the organisation, newest first, and the form to request one."""
    membership = get_membership(request, org_slug, roles=AUDIT_READERS)
    org = membership.organisation
    packs = AuditPack.objects.filter(organisation=org).select_related("ai_system", "requested_by")
    page, query = paginate(request, packs)
    return _render_list(request, PackRequestForm(org=org), page, query)


def _render_list(request, form, page, query) -> HttpResponse:
    # The newest pack (first row of the first page) gets the progress panel the page polls.
    newest = page.object_list[0] if page.number == 1 and page.object_list else None
    fetch_choices(form)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "rows": page.object_list,
        "current": newest,
        "is_empty": not page.object_list and page.number == 1,
    }
    return render(request, "reports/pack_list.html", context)


@login_required
@require_POST
def pack_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, roles=AUDIT_READERS)
    org = membership.organisation
    form = PackRequestForm(request.POST, org=org)
    outcome = run_service(
        form,
        lambda: services.pack_request(actor=request.user, organisation=org, ai_system=form.cleaned_data["ai_system"]),
    )
    if outcome.saved:
        messages.success(request, _("Audit pack requested; this page shows its progress."))
        return redirect("reports:pack_list", org_slug)
    packs = AuditPack.objects.filter(organisation=org).select_related("ai_system", "requested_by")
    page, query = paginate(request, packs)
    return _render_list(request, form, page, query)


@login_required
@require_POST
def pack_retry(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, pack = get_object_for_user(
        request, org_slug, AuditPack.objects.select_related("organisation", "ai_system"), pk, roles=AUDIT_READERS
    )
    try:
        services.pack_retry(actor=request.user, pack=pack)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Audit pack requested again; this page shows its progress."))
    return redirect("reports:pack_list", org_slug)


@login_required
def pack_status(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The polled progress partial of an audit pack."""
    _membership, pack = get_object_for_user(
        request, org_slug, AuditPack.objects.select_related("ai_system"), pk, roles=AUDIT_READERS
    )
    return render(request, "reports/pack_list.html#job", {"current": pack})


@login_required
def pack_download(request: HttpRequest, org_slug: str, pk: int) -> FileResponse:
    """The zip, to auditors, leads and admins of the organisation only; each download is audited."""
    _membership, pack = get_object_for_user(
        request, org_slug, AuditPack.objects.select_related("organisation"), pk, roles=AUDIT_READERS
    )
    if not pack.is_ready:
        raise Http404("This audit pack is not ready")
    try:
        handle = pack.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This audit pack's file is missing") from exc
    services.pack_downloaded(actor=request.user, pack=pack)
    response = FileResponse(handle, as_attachment=True, filename=pack.download_name(), content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
