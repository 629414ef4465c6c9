"""Webhook settings pages: organisation admins only (others 403, outsiders 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from core.pages import paginate

from . import delivery, events, services
from .forms import EndpointForm, EndpointRetireForm, VersionForm
from .models import Attempt, Delivery, DeliveryStatus, Endpoint


def _endpoint(request: HttpRequest, org_slug: str, pk: int):
    return get_object_for_user(request, org_slug, Endpoint.objects.current(), pk, min_role=Role.ADMIN)


def _show_secret(request: HttpRequest, endpoint: Endpoint | None, *, created: bool) -> HttpResponse:
    """The secret, this once (the answer to the POST: it is never stored in the session)."""
    response = render(request, "webhooks/endpoint_secret.html", {"endpoint": endpoint, "created": created})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def endpoint_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.ADMIN)
    endpoints = (
        Endpoint.objects.for_org(membership.organisation)
        .current()
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            last_delivered=Max("deliveries__delivered_at"),
        )
        .order_by("url", "pk")
    )
    page, query = paginate(request, endpoints)
    disabled = [e for e in page.object_list if e.disabled_reason and not e.is_active]
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"page": page, "query": query, "disabled": disabled, "event_types": events.EVENT_TYPES},
    )


@login_required
def endpoint_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.ADMIN)
    form = EndpointForm(request.POST or None)
    outcome = run_service(
        form,
        lambda: services.endpoint_create(
            actor=request.user,
            organisation=membership.organisation,
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
            event_types=form.cleaned_data["event_types"],
        ),
        actor=request.user,
    )
    if outcome.saved:
        return _show_secret(request, outcome.result, created=True)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@login_required
def endpoint_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, endpoint = _endpoint(request, org_slug, pk)
    deliveries = Delivery.objects.filter(endpoint=endpoint).prefetch_related(
        Prefetch("attempt_log", queryset=Attempt.objects.order_by("number"))
    )
    page, query = paginate(request, deliveries)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "page": page,
            "query": query,
            "rotate_form": VersionForm(initial={"version": endpoint.version}),
            "max_attempts": delivery.setting("WEBHOOKS_MAX_ATTEMPTS"),
        },
    )


@login_required
def endpoint_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, endpoint = _endpoint(request, org_slug, pk)
    form = EndpointForm(request.POST or None, instance=Endpoint.objects.get(pk=endpoint.pk))
    outcome = run_service(
        form,
        lambda: services.endpoint_update(
            actor=request.user,
            endpoint=endpoint,
            expected_version=form.cleaned_data["version"],
            data={k: v for k, v in form.cleaned_data.items() if k != "version"},
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(request, _("Webhook endpoint saved."))
        return redirect("webhooks:endpoint_detail", org_slug, pk)
    return render(
        request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint, "conflict": outcome.conflict}
    )


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, endpoint = _endpoint(request, org_slug, pk)
    form = VersionForm(request.POST)
    outcome = run_service(
        form,
        lambda: services.endpoint_rotate_secret(
            actor=request.user, endpoint=endpoint, expected_version=form.cleaned_data["version"]
        ),
    )
    if outcome.saved:
        return _show_secret(request, outcome.result, created=False)
    messages.error(request, _("The endpoint changed since you opened the page; look again before rotating."))
    return redirect("webhooks:endpoint_detail", org_slug, pk)


@login_required
@require_POST
def endpoint_test(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, endpoint = _endpoint(request, org_slug, pk)
    try:
        services.endpoint_send_test(actor=request.user, endpoint=endpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Test event queued; its attempts appear below."))
    return redirect("webhooks:endpoint_detail", org_slug, pk)


@login_required
def endpoint_retire(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, endpoint = _endpoint(request, org_slug, pk)
    form = EndpointRetireForm(request.POST or None, instance=endpoint)
    outcome = run_service(
        form,
        lambda: services.endpoint_retire(
            actor=request.user,
            endpoint=endpoint,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(request, _("Webhook endpoint removed; nothing more is sent to it."))
        return redirect("webhooks:endpoint_list", org_slug)
    return render(
        request, "webhooks/endpoint_retire.html", {"form": form, "endpoint": endpoint, "conflict": outcome.conflict}
    )
