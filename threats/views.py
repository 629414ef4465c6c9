from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from core.pages import paginate
from records.rules import EDIT_REFUSAL, can_edit_record
from records.views import add_to_record, create_for_system, edit_draft, get_record, record_context, system_tab

from . import services
from .forms import EntryForm, SuggestForm, ThreatModelForm
from .models import ThreatEntry, ThreatModel, surfaces_from_profile
from .workflow import KIND, entries_of


@login_required
def threat_model_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The latest threat model of every system, overdue reviews first."""
    membership = get_membership(request, org_slug)
    rows = (
        ThreatModel.objects.for_org(membership.organisation)
        .latest()
        .select_related("ai_system", "approved_by")
        .order_by(F("next_review_due").asc(nulls_last=True), "ai_system__name", "pk")
    )
    page, query = paginate(request, rows)
    return render(request, "threats/threat_model_list.html", {"page": page, "query": query})


@login_required
def system_threat_models(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return system_tab(
        request,
        org_slug,
        pk,
        KIND,
        rows=lambda system: (
            ThreatModel.objects.filter(ai_system=system).select_related("author", "approved_by").order_by("-pk")
        ),
        template="threats/system_threat_models.html",
    )


@login_required
def threat_model_create(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    def make_form(membership, system, data):
        title = _("Threat model of %(name)s") % {"name": system.name}
        return ThreatModelForm(data, initial={"title": title, "surfaces": surfaces_from_profile(system)})

    return create_for_system(
        request,
        org_slug,
        pk,
        KIND,
        make_form=make_form,
        save=lambda system, form: services.threat_model_create(
            actor=request.user, system=system, data=form.record_data()
        ),
        template="threats/threat_model_form.html",
        done=_("Threat model started as a draft. Next: suggest threats for this system."),
    )


@login_required
def threat_model_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, threat_model = get_record(request, org_slug, pk, KIND)
    context = record_context(membership, threat_model, KIND)
    entries = entries_of(threat_model)
    for entry in entries:
        entry.flagged = entry.is_flagged()
    context.update({"entries": entries, "flagged": sum(e.flagged for e in entries)})
    return render(request, "threats/threat_model_detail.html", context)


@login_required
def threat_model_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return edit_draft(
        request,
        org_slug,
        pk,
        KIND,
        make_form=lambda membership, tm, data: ThreatModelForm(data, instance=tm),
        save=lambda tm, form: services.threat_model_update(
            actor=request.user, threat_model=tm, expected_version=form.cleaned_data["version"], data=form.record_data()
        ),
        template="threats/threat_model_form.html",
    )


@login_required
def threat_model_suggest(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """ "Suggest threats for this system": the library threats on its surfaces that apply to its
    profile, all ticked; the author keeps or drops each and adds the kept ones in one step."""
    membership, threat_model = get_record(request, org_slug, pk, KIND, min_role=Role.MEMBER)
    ensure(can_edit_record(membership, threat_model), EDIT_REFUSAL)
    suggested = services.suggestions(threat_model)
    form = SuggestForm(request.POST or None, suggested=suggested, initial={"threats": [t.pk for t in suggested]})
    if form.is_bound and form.is_valid():
        try:
            added = services.suggestions_accept(
                actor=request.user, threat_model=threat_model, threats=list(form.cleaned_data["threats"])
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)s threats added; rate each one.") % {"n": len(added)})
        return redirect("threats:threat_model_detail", org_slug, pk)
    context = record_context(membership, threat_model, KIND, "suggest")
    context.update({"form": form, "suggested": suggested})
    return render(request, "threats/threat_model_suggest.html", context)


@login_required
def entry_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return add_to_record(
        request,
        org_slug,
        pk,
        KIND,
        may=can_edit_record,
        refusal=EDIT_REFUSAL,
        make_form=lambda membership, threat_model, data: EntryForm(data, threat_model=threat_model),
        save=lambda threat_model, form: services.entry_add(
            actor=request.user,
            threat_model=threat_model,
            data=form.entry_data(),
            mitigations=form.cleaned_data["mitigations"],
        ),
        done=_("Threat added."),
        template="threats/entry_form.html",
        tab="entry",
    )


def _entry(request, org_slug, pk):
    membership, entry = get_object_for_user(
        request,
        org_slug,
        ThreatEntry.objects.select_related("threat_model__ai_system__owner_team"),
        pk,
        min_role=Role.MEMBER,
    )
    ensure(can_edit_record(membership, entry.threat_model), EDIT_REFUSAL)
    return membership, entry


@login_required
def entry_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, entry = _entry(request, org_slug, pk)
    threat_model = entry.threat_model
    form = EntryForm(request.POST or None, instance=entry, threat_model=threat_model)
    outcome = run_service(
        form,
        lambda: services.entry_update(
            actor=request.user,
            entry=entry,
            expected_version=form.cleaned_data["version"],
            data=form.entry_data(),
            mitigations=form.cleaned_data["mitigations"],
        ),
        actor=request.user,
        about=threat_model,
    )
    if outcome.saved:
        messages.success(request, _("Threat updated."))
        return redirect("threats:threat_model_detail", org_slug, threat_model.pk)
    context = record_context(membership, threat_model, KIND, "entry")
    context.update({"form": form, "entry": entry, "conflict": outcome.conflict})
    return render(request, "threats/entry_form.html", context)


@login_required
@require_POST
def entry_remove(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, entry = _entry(request, org_slug, pk)
    try:
        services.entry_remove(actor=request.user, entry=entry)
        messages.success(request, _("Threat removed from the draft."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("threats:threat_model_detail", org_slug, entry.threat_model_id)
