"""Ownership rules: the routing table, its rules, and re-routing open assignments after a change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import add_service_error, run_service
from core.choices import Domain
from governance.models import Practice

from ..forms import OwnershipRuleForm
from ..models import OwnershipRule, RerouteJob
from ..rules import can_manage_routing
from ..services import routing as services

PREVIEW_ROWS = 50


def _manager(request: HttpRequest, org_slug: str):
    membership = get_membership(request, org_slug, min_role=Role.LEAD)
    ensure(can_manage_routing(membership))
    return membership


@login_required
def routing_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The rules, and the owner every domain × practice gets from them (or from the disciplines)."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    router = services.Router(org)
    can_manage = can_manage_routing(membership)
    context = {
        "rules": sorted(router.rules.values(), key=lambda r: (r.domain, r.practice)),
        "table": router.table(),
        "defaults": [(d.value, router.default(d.value)) for d in Domain],
        "can_manage": can_manage,
        # Re-routing is the managers' business: others see the routing, not the offer or the job.
        "misrouted": services.misrouted(org, router).count() if can_manage else 0,
        "job": org.reroute_jobs.first() if can_manage else None,
    }
    return render(request, "assessments/routing_list.html", context)


def _after_change(request, org_slug: str, rule_domain: str, rule_practice: str) -> HttpResponse:
    """Offer to re-route the open assignments the change affects, if there are any."""
    url = reverse("assessments:reroute_preview", args=[org_slug])
    query = f"?domain={rule_domain}&practice={rule_practice}"
    affected = services.misrouted(get_membership(request, org_slug).organisation).filter(control__domain=rule_domain)
    if rule_practice:
        affected = affected.filter(control__practice=rule_practice)
    if affected.exists():
        return redirect(url + query)
    return redirect("assessments:routing_list", org_slug)


@login_required
def rule_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = _manager(request, org_slug)
    form = OwnershipRuleForm(request.POST or None, org=membership.organisation)
    if form.is_valid():
        try:
            rule = services.ownership_rule_create(
                actor=request.user, organisation=membership.organisation, data=form.rule_data()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Rule added: %(rule)s.") % {"rule": rule})
            return _after_change(request, org_slug, rule.domain, rule.practice)
    return render(request, "assessments/rule_form.html", {"form": form})


@login_required
def rule_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, rule = get_object_for_user(
        request, org_slug, OwnershipRule.objects.select_related("team", "cosigning_team"), pk, min_role=Role.LEAD
    )
    ensure(can_manage_routing(membership))
    form = OwnershipRuleForm(request.POST or None, instance=rule, org=membership.organisation)
    outcome = run_service(
        form,
        lambda: services.ownership_rule_update(
            actor=request.user, rule=rule, expected_version=form.cleaned_data["version"], data=form.rule_data()
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(request, _("Rule saved: %(rule)s.") % {"rule": outcome.result})
        return _after_change(request, org_slug, rule.domain, rule.practice)
    return render(request, "assessments/rule_form.html", {"form": form, "rule": rule, "conflict": outcome.conflict})


@login_required
@require_POST
def rule_delete(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, rule = get_object_for_user(request, org_slug, OwnershipRule, pk, min_role=Role.LEAD)
    ensure(can_manage_routing(membership))
    domain, practice = rule.domain, rule.practice
    services.ownership_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule removed; those controls follow the domain rule or the team disciplines again."))
    return _after_change(request, org_slug, domain, practice)


@login_required
def reroute_preview(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The open assignments whose owners differ from the rules, and a button to move them."""
    membership = _manager(request, org_slug)
    org = membership.organisation
    router = services.Router(org)
    affected = services.misrouted(org, router)
    domain, practice = request.GET.get("domain", ""), request.GET.get("practice", "")
    if domain in Domain.values:
        affected = affected.filter(control__domain=domain)
    if practice in Practice.values:
        affected = affected.filter(control__practice=practice)
    if request.method == "POST":
        try:
            job = services.reroute_request(
                actor=request.user, organisation=org, assignment_ids=list(affected.values_list("pk", flat=True))
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessments:routing_list", org_slug)
        messages.success(request, _("Re-routing %(n)s assignments; this page shows the progress.") % {"n": job.total})
        return redirect("assessments:routing_list", org_slug)
    rows = list(
        affected.select_related("control", "ai_system", "owner_team", "cosigning_team").order_by(
            "ai_system__name", "control__ref"
        )[:PREVIEW_ROWS]
    )
    moves = [(a, router.route(a.control.domain, a.control.practice)) for a in rows]
    context = {
        "moves": moves,
        "total": affected.count(),
        "by_system": list(
            affected.order_by().values("ai_system__name").annotate(n=Count("pk")).order_by("ai_system__name")
        ),
        "domain": domain,
        "practice": practice,
        "preview_rows": PREVIEW_ROWS,
    }
    return render(request, "assessments/reroute_preview.html", context)


@login_required
def reroute_status(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The polled progress partial of a re-routing job."""
    _membership, job = get_object_for_user(request, org_slug, RerouteJob, pk, min_role=Role.LEAD)
    return render(request, "assessments/routing_list.html#job", {"job": job})
