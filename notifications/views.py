"""The reader's pages: the list of notifications with mark-as-read, the bell's unread count (loaded
by htmx after the page, so no page pays a query for it), and the digest preference."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, get_membership
from core.pages import paginate

from . import services
from .forms import PreferenceForm
from .models import Notification, Preference


def _mine(request, membership):
    return Notification.objects.filter(user=request.user, organisation=membership.organisation)


@login_required
def notification_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    rows = _mine(request, membership)
    show = request.GET.get("show", "unread")
    if show != "all":
        rows = rows.unread()
    page, query = paginate(request, rows.order_by("-day", "-pk"))
    context = {"page": page, "query": query, "rows": page.object_list, "show": show, "is_empty": not page.object_list}
    return render(request, "notifications/notification_list.html", context)


@login_required
def notification_bell(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The unread count for the top bar's bell: one count query."""
    membership = get_membership(request, org_slug)
    unread = _mine(request, membership).unread().count()
    return render(request, "notifications/_bell_count.html", {"unread": unread})


@login_required
@require_POST
def notification_read(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Mark one notification (`id`) or all of them as read; then follow its link or go back."""
    membership = get_membership(request, org_slug)
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    services.notifications_mark_read(user=request.user, organisation=membership.organisation, ids=ids)
    if ids is not None and request.POST.get("open"):
        target = _mine(request, membership).filter(pk=ids[0]).values_list("url", flat=True).first()
        if target and target.startswith("/"):
            return redirect(target)
    if ids is None:
        messages.success(request, _("All marked as read."))
    return redirect("notifications:list", org_slug)


@login_required
@require_POST
def digest_preference(request: AuthenticatedHttpRequest) -> HttpResponse:
    preference = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST, instance=preference)
    if form.is_valid():
        services.digest_preference_set(user=request.user, email_digest=form.cleaned_data["email_digest"])
        if form.cleaned_data["email_digest"]:
            messages.success(request, _("You will receive the daily digest."))
        else:
            messages.success(request, _("No more digest e-mails; the bell still shows what waits for you."))
    return redirect("profile")


def profile_panel(user):
    """The digest switch on the profile page (hook `profile_panels`)."""
    from core.extensions import Panel

    preference = Preference.objects.filter(user=user).first() or Preference(user=user)
    return Panel("notifications/_profile_panel.html", {"form": PreferenceForm(instance=preference)})
