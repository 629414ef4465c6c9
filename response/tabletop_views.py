"""Tabletop exercise pages: record one for a plan, its page, edit a draft. Lifecycle, versions,
History and follow-ups (the exercise's actions): records.views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import ensure, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from records.rules import can_work_on_record
from records.views import edit_draft, record_context

from . import services
from .forms import TabletopForm
from .models import steps
from .workflow import PLAN_KIND, TABLETOP_KIND


@login_required
def tabletop_create(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Record a tabletop exercise of a plan (any version: exercises of a draft count for the plan
    once it is approved, since they belong to the same series)."""
    membership, plan = get_object_for_user(request, org_slug, PLAN_KIND.queryset(), pk, min_role=Role.MEMBER)
    ensure(can_work_on_record(membership, plan), _("Leads and the covered systems' owner teams record tabletops."))
    initial = {
        "title": _("Tabletop exercise of %(plan)s") % {"plan": plan.title},
        "held_on": timezone.localdate(),
        "participants": [request.user.pk],
    }
    form = TabletopForm(request.POST or None, plan=plan, initial=initial)
    outcome = run_service(
        form,
        lambda: services.tabletop_create(actor=request.user, plan=plan, data=form.record_data(), m2m=form.record_m2m()),
        actor=request.user,
    )
    if outcome.saved and outcome.result is not None:
        messages.success(request, _("Tabletop exercise recorded as a draft. Raise its follow-ups, then submit it."))
        return redirect("response:tabletop_detail", org_slug, outcome.result.pk)
    context = record_context(membership, plan, PLAN_KIND, "tabletop")
    context.update({"form": form, "plan": plan})
    return render(request, "response/tabletop_form.html", context)


@login_required
def tabletop_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, tabletop = get_object_for_user(request, org_slug, TABLETOP_KIND.queryset(), pk)
    context = record_context(membership, tabletop, TABLETOP_KIND)
    context.update(
        {
            "participants": list(tabletop.participants.order_by("username")),
            "external_participants": steps(tabletop.external_participants),
            "timeline": tabletop.timeline_entries,
        }
    )
    return render(request, "response/tabletop_detail.html", context)


@login_required
def tabletop_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return edit_draft(
        request,
        org_slug,
        pk,
        TABLETOP_KIND,
        make_form=lambda membership, t, data: TabletopForm(data, instance=t, plan=t.plan),
        save=lambda t, form: services.tabletop_update(
            actor=request.user,
            tabletop=t,
            expected_version=form.cleaned_data["version"],
            data=form.record_data(),
            m2m=form.record_m2m(),
        ),
        template="response/tabletop_form.html",
    )
