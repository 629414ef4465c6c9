from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AUDIT_READERS, get_membership, get_object_for_user
from core.pages import keyset_page
from core.rendering import filter_bar_html

from . import services
from .forms import AuditFilterForm
from .models import AuditEvent, Verification
from .presenters import label_changes
from .versions import cached_fragment, fragment_key


@dataclass(frozen=True)
class KeptEvents:
    """One page of the audit trail as kept: its rows' HTML and where its paging links lead."""

    html: str
    has_rows: bool
    older_cursor: int | None
    is_first: bool
    query: str


@login_required
def event_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's audit trail, newest first, with keyset pages (cheap on millions of rows)."""
    membership = get_membership(request, org_slug, roles=AUDIT_READERS)
    org = membership.organisation
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.for_org(org)
    order = ["-seq"]
    if form.is_valid():
        events = form.filter(events)
        if form.cleaned_data["since"] or form.cleaned_data["until"]:
            # Events are appended in time order, so newest-first by time is the same order; said
            # this way PostgreSQL walks the (organisation, created_at) index inside the dates
            # instead of the whole sequence backwards (~250 ms at a million events).
            order = ["-created_at", "-seq"]

    def read() -> KeptEvents:
        page = keyset_page(request, events, order=order)
        html = render_to_string("audit/_event_rows.html", {"events": page.rows, "org": org})
        return KeptEvents(html, bool(page.rows), page.older_cursor, page.is_first, page.query)

    # Events never change and a new one moves the chain head: the page of rows is kept under
    # the head (with the filters, the cursor, the language and the time zone), and a kept page
    # reads no events.
    key = fragment_key(request, org)
    kept = cached_fragment("audit-rows", key, read)
    filter_label = _("Filter events")
    return render(
        request,
        "audit/event_list.html",
        {
            "kept": kept,
            "rows": kept.has_rows,
            "form": form,
            "filter_html": cached_fragment(
                "audit-filters", key, lambda: filter_bar_html(form, clear_url=request.path, label=filter_label)
            ),
            "clear_url": request.path,
            "older_cursor": kept.older_cursor,
            "is_first_page": kept.is_first,
            "query": kept.query,
            "verification": org.audit_verifications.first(),
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
