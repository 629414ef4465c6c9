from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AUDIT_READERS, get_membership, get_object_for_user
from core.pages import keyset_page

from . import services
from .forms import AuditFilterForm
from .models import AuditEvent, Verification
from .presenters import label_changes
from .versions import fragment_key


@login_required
def event_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's audit trail, newest first, with keyset pages (cheap on millions of rows)."""
    membership = get_membership(request, org_slug, roles=AUDIT_READERS)
    org = membership.organisation
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.for_org(org).select_related("actor")
    order = ["-seq"]
    if form.is_valid():
        events = form.filter(events)
        if form.cleaned_data["since"] or form.cleaned_data["until"]:
            # Events are appended in time order, so newest-first by time is the same order; said
            # this way PostgreSQL walks the (organisation, created_at) index inside the dates
            # instead of the whole sequence backwards (~250 ms at a million events).
            order = ["-created_at", "-seq"]
    page = keyset_page(request, events, order=order)
    return render(
        request,
        "audit/event_list.html",
        {
            "events": page.rows,
            "rows": page.rows,
            "form": form,
            "filter_form": form,
            "filter_label": _("Filter events"),
            "clear_url": request.path,
            "older_cursor": page.older_cursor,
            "is_first_page": page.is_first,
            "query": page.query,
            "verification": org.audit_verifications.first(),
            # Events never change and a new one moves the chain head: the rendered rows are
            # kept under the head (with the language, time zone and query).
            "rows_key": fragment_key(request, org),
        },
    )


@login_required
def event_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, event = get_object_for_user(
        request, org_slug, AuditEvent.objects.select_related("actor"), pk, roles=AUDIT_READERS
    )
    label_changes([event])
    return render(request, "audit/event_detail.html", {"event": event})


@login_required
@require_POST
def verification_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, roles=AUDIT_READERS)
    services.verification_request(organisation=membership.organisation, actor=request.user)
    messages.success(request, _("Chain check queued; this page shows its progress."))
    return redirect("audit:event_list", org_slug)


@login_required
def verification_status(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The polled progress partial of a chain check."""
    _membership, verification = get_object_for_user(request, org_slug, Verification, pk, roles=AUDIT_READERS)
    return render(request, "audit/event_list.html#verification", {"verification": verification})
