from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from audit.versions import kept_template
from core.concurrency import EditConflict
from core.pages import paginate
from core.rendering import fetch_choices
from governance.models import AISystem, Scenario
from governance.views.inventory import system_page_context
from records.forms import VersionOnlyForm
from records.rules import can_create_record
from records.views import create_for_system, edit_draft, get_record, record_context

from . import rules, services
from .forms import AcceptForm, RegisterFilter, RiskForm
from .heatmap import heat_map
from .models import Acceptance, RiskScenario
from .workflow import KIND


def _rows():
    return RiskScenario.objects.latest().select_related("ai_system", "owner_team", "cosigning_team")


def _heat(request, queryset):
    inherent = request.GET.get("view") == "inherent"
    return {"heat": heat_map(queryset, inherent=inherent), "inherent": inherent}


@login_required
def register(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every system's risks, filtered, with the heat map of the filtered set."""
    membership = get_membership(request, org_slug)
    org = membership.organisation

    def body_context():
        filterset = RegisterFilter(request.GET, queryset=_rows().for_org(org), org=org)
        queryset = filterset.qs.order_by("-residual_likelihood", "-residual_impact", "ai_system__name", "pk")
        page, query = paginate(request, queryset)
        kept = request.GET.copy()
        for key in ("likelihood", "impact", "inherent_likelihood", "inherent_impact", "page", "view"):
            kept.pop(key, None)
        heat = _heat(request, filterset.qs)
        fetch_choices(filterset.form)  # the system and team choices, read here rather than while rendering
        heat_query = kept.urlencode()
        cell_query = "&".join(filter(None, [heat_query, "view=inherent" if heat["inherent"] else ""]))
        return {
            "filter": filterset,
            "filter_label": _("Filter the risks"),
            "clear_url": request.path,
            "page": page,
            "query": query,
            "heat_query": heat_query,
            "cell_url": f"?{cell_query}",
            **heat,
        }

    # Filters, heat map and rows show every reader the same thing, and risks change only by
    # audited services (a review falling overdue turns over with the date in the key): kept whole.
    body = kept_template(request, org, "risks/_register_body.html", body_context)
    return render(request, "risks/register.html", {"body": body})


def _system(request, org_slug, pk, **kwargs):
    return get_object_for_user(request, org_slug, AISystem.objects.select_related("owner_team"), pk, **kwargs)


@login_required
def system_risks(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The system's Risks tab: its heat map, its risks, and the library's example scenarios."""
    membership, system = _system(request, org_slug, pk)
    risks = _rows().filter(ai_system=system)
    context = system_page_context(membership, system, "risks")
    context.update(
        {
            "risks": list(risks.order_by("-residual_likelihood", "-residual_impact", "pk")),
            "can_create": can_create_record(membership, system),
            "examples": list(Scenario.objects.for_org(membership.organisation).active().order_by("ref")),
            "cell_url": reverse("risks:register", args=[org_slug]) + f"?ai_system={system.pk}",
            **_heat(request, risks),
        }
    )
    return render(request, "risks/system_risks.html", context)


@login_required
def risk_create(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return create_for_system(
        request,
        org_slug,
        pk,
        KIND,
        make_form=lambda membership, system, data: RiskForm(data, org=membership.organisation),
        save=lambda system, form: services.risk_create(
            actor=request.user, system=system, data=form.record_data(), controls=form.cleaned_data["controls"]
        ),
        template="risks/risk_form.html",
        done=_("Risk added as a draft."),
    )


@login_required
@require_POST
def risk_add_example(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, system = _system(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(can_create_record(membership, system), _("Leads and the system's owner team add risks."))
    try:
        scenario = (
            Scenario.objects.for_org(membership.organisation).active().get(pk=int(request.POST.get("scenario", "")))
        )
    except (Scenario.DoesNotExist, ValueError, OverflowError):
        messages.error(request, _("Choose one of the example scenarios."))
        return redirect("risks:system_risks", org_slug, pk)
    try:
        risk = services.risk_add_example(actor=request.user, system=system, scenario=scenario)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("risks:system_risks", org_slug, pk)
    messages.success(request, _("“%(title)s” added as a draft risk.") % {"title": risk.title})
    return redirect("risks:risk_detail", org_slug, risk.pk)


@login_required
def risk_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, risk = get_record(request, org_slug, pk, KIND)
    context = record_context(membership, risk, KIND)
    context.update(
        {
            "controls": list(risk.controls.order_by("ref")),
            "can_accept": rules.can_accept_risk(membership, risk)
            and risk.acceptance in (Acceptance.NONE, Acceptance.EXPIRED)
            and risk.treatment == "accept"
            and risk.is_approved
            and risk.is_latest,
            "can_cosign": risk.acceptance == Acceptance.PENDING and rules.can_cosign_acceptance(membership, risk),
        }
    )
    return render(request, "risks/risk_detail.html", context)


@login_required
def risk_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return edit_draft(
        request,
        org_slug,
        pk,
        KIND,
        make_form=lambda membership, risk, data: RiskForm(data, instance=risk, org=membership.organisation),
        save=lambda risk, form: services.risk_update(
            actor=request.user,
            risk=risk,
            expected_version=form.cleaned_data["version"],
            data=form.record_data(),
            controls=form.cleaned_data["controls"],
        ),
        template="risks/risk_form.html",
    )


@login_required
def risk_accept(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, risk = get_record(request, org_slug, pk, KIND, min_role=Role.LEAD)
    ensure(
        rules.can_accept_risk(membership, risk),
        _("A lead of a security or safety team accepts a risk of both domains."),
    )
    form = AcceptForm(request.POST or None, initial={"version": risk.version})
    outcome = run_service(
        form,
        lambda: services.risk_accept(
            actor=request.user,
            risk=risk,
            expected_version=form.cleaned_data["version"],
            rationale=form.cleaned_data["rationale"],
            until=form.cleaned_data["until"],
        ),
        actor=request.user,
        about=risk,
    )
    if outcome.saved and outcome.result is not None:
        if outcome.result.acceptance == Acceptance.PENDING:
            messages.success(request, _("Accepted on your side; a lead of the other side co-signs."))
        else:
            messages.success(request, _("Risk accepted."))
        return redirect("risks:risk_detail", org_slug, pk)
    context = record_context(membership, risk, KIND, "accept")
    context.update({"form": form, "conflict": outcome.conflict})
    return render(request, "risks/risk_accept.html", context)


@login_required
@require_POST
def risk_cosign(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, risk = get_record(request, org_slug, pk, KIND, min_role=Role.LEAD)
    ensure(rules.can_cosign_acceptance(membership, risk), _("A second lead, from the other side, co-signs."))
    form = VersionOnlyForm(request.POST)
    if form.is_valid():
        try:
            services.risk_cosign_acceptance(
                actor=request.user, risk=risk, expected_version=form.cleaned_data["version"]
            )
            messages.success(request, _("Acceptance co-signed: the risk is accepted."))
        except EditConflict:
            messages.error(request, _("Someone changed this risk meanwhile; here it is as it is now."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Reload the page and try again."))
    return redirect("risks:risk_detail", org_slug, pk)
