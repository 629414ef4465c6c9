from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import add_service_error, run_service
from audit.hidden_text import save_with_choices
from audit.services import history_for
from audit.versions import data_version, kept_list, kept_template
from core.concurrency import EditConflict
from core.rendering import fetch_choices
from governance.models import AISystem
from governance.views.inventory import system_page_context
from records.forms import VersionOnlyForm
from records.rules import can_create_record
from records.services import follow_ups_of

from . import rules, services
from .forms import IncidentActionForm, IncidentFilter, IncidentFollowUpForm, IncidentForm, ReviewForm, TimelineEntryForm
from .models import Incident, IncidentStatus
from .queries import times_by_severity
from .workflow import INCIDENT, TIMED


def _listed(org):
    """Incidents as lists show them: open first, with their systems and teams (three queries)."""
    return (
        Incident.objects.for_org(org)
        .select_related("owner_team", "cosigning_team")
        .prefetch_related(Prefetch("systems", queryset=AISystem.objects.only("pk", "name").order_by("name")))
        .open_first()
    )


@login_required
def incident_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every incident of the organisation, filtered; open ones first; the times per severity."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    filterset = IncidentFilter(request.GET, queryset=_listed(org), org=org)

    def rows_html(rows):
        return render_to_string("incidents/_incident_rows.html", {"rows": rows, "org": org, "show_systems": True})

    # Rows, count, filter bar and the times table show every reader the same thing and change only
    # with an audited change: kept under the data version, so a hit reads no incident.
    version = data_version(org)
    kept = kept_list(
        request, org, "incidents", filterset, rows_html, filter_label=_("Filter the incidents"), version=version
    )
    is_empty = not kept.has_rows and not Incident.objects.for_org(org).exists()
    context = {
        "filter_html": kept.filter_html,
        "clear_url": request.path,
        "page": kept.page,
        "rows": kept.has_rows,
        "rows_html": kept.rows_html,
        "query": kept.query,
        "is_empty": is_empty,
        "times_html": ""
        if is_empty
        else kept_template(
            request, org, "incidents/_times.html", lambda: {"times": times_by_severity(filterset.qs)}, version=version
        ),
        "can_report": rules.can_report(membership),
    }
    return render(request, "incidents/incident_list.html", context)


def _system(request, org_slug, pk, **kwargs):
    return get_object_for_user(request, org_slug, AISystem.objects.select_related("owner_team"), pk, **kwargs)


@login_required
def system_incidents(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The AI system's Incidents tab: every incident that affected it, and the times per severity."""
    membership, system = _system(request, org_slug, pk)
    incidents = _listed(membership.organisation).filter(systems=system)
    context = system_page_context(membership, system, "incidents")
    context.update(
        {
            "incidents": list(incidents[:200]),
            "times": times_by_severity(incidents),
            "can_report": rules.can_report(membership) and system.retired_at is None,
        }
    )
    return render(request, "incidents/system_incidents.html", context)


@login_required
def incident_report(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Report an incident; `?system=<pk>` (from a system's page) preselects the affected system."""
    membership = get_membership(request, org_slug, min_role=Role.MEMBER)
    org = membership.organisation
    ensure(rules.can_report(membership), _("Members, leads and admins report incidents."))
    initial = {}
    if (system_pk := request.GET.get("system", "")).isdigit():
        initial["systems"] = list(AISystem.objects.for_org(org).filter(pk=int(system_pk)).values_list("pk", flat=True))
    form = IncidentForm(request.POST or None, org=org, initial=initial)
    outcome = run_service(
        form,
        lambda: services.incident_report(
            actor=request.user, organisation=org, data=form.incident_data(), systems=form.cleaned_data["systems"]
        ),
        actor=request.user,
    )
    if outcome.saved and outcome.result is not None:
        messages.success(request, _("Incident reported; its teams see it on their pages."))
        return redirect("incidents:incident_detail", org_slug, outcome.result.pk)
    fetch_choices(form)
    return render(request, "incidents/incident_form.html", {"form": form, "reporting": True})


def _incident(request, org_slug, pk, **kwargs) -> tuple:
    membership, incident = get_object_for_user(
        request,
        org_slug,
        Incident.objects.select_related(
            "owner_team", "cosigning_team", "reported_by", "closed_by", "reviewed_by", "plan", "playbook"
        ).prefetch_related(Prefetch("systems", queryset=AISystem.objects.order_by("name"))),
        pk,
        **kwargs,
    )
    return membership, incident


@login_required
def incident_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, incident = _incident(request, org_slug, pk)
    return render(request, "incidents/incident_detail.html", _detail_context(membership, incident))


def _detail_context(membership, incident: Incident, timeline_form: TimelineEntryForm | None = None) -> dict:
    org_slug, pk = membership.organisation.slug, incident.pk
    systems = list(incident.systems.all())
    can_work = rules.can_work_on_incident(membership, incident)
    context = {
        "incident": incident,
        "systems": systems,
        "timeline": list(incident.timeline.select_related("author")),
        "actions": [{"transition": t, "timed": t.name in TIMED} for t in INCIDENT.available(membership, incident)],
        "can_work": can_work,
        "can_edit": rules.can_edit_incident(membership, incident),
        "can_review": can_work and incident.status in (IncidentStatus.CONTAINED, IncidentStatus.RESOLVED),
        "risk_systems": [s for s in systems if can_create_record(membership, s)]
        if incident.status == IncidentStatus.CLOSED
        else [],
        "timeline_form": timeline_form
        or (TimelineEntryForm() if can_work and incident.status != IncidentStatus.CLOSED else None),
        "threats": list(incident.threats.order_by("ref")),
        "controls": list(incident.controls.order_by("ref")),
        "risks": list(incident.risks.select_related("ai_system").order_by("title")),
        "follow_ups": follow_ups_of(incident),
        "urls": {"follow_up": reverse("incidents:incident_follow_up", args=[org_slug, pk])},
        "events": history_for(incident),
    }
    return context


@login_required
def incident_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, incident = _incident(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(
        rules.can_edit_incident(membership, incident), _("Leads and the incident's teams edit it, until it is closed.")
    )
    form = IncidentForm(request.POST or None, instance=incident, org=membership.organisation)
    outcome = run_service(
        form,
        lambda: services.incident_update(
            actor=request.user,
            incident=incident,
            expected_version=form.cleaned_data["version"],
            data=form.incident_data(),
            systems=form.cleaned_data["systems"],
        ),
        actor=request.user,
        about=incident,
    )
    if outcome.saved:
        messages.success(request, _("Changes saved."))
        return redirect("incidents:incident_detail", org_slug, pk)
    fetch_choices(form)
    return render(
        request, "incidents/incident_form.html", {"form": form, "incident": incident, "conflict": outcome.conflict}
    )


@login_required
@require_POST
def incident_act(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, incident = _incident(request, org_slug, pk, min_role=Role.MEMBER)
    name = request.POST.get("action", "")
    if name not in INCIDENT:
        messages.error(request, _("Choose an action."))
        return redirect("incidents:incident_detail", org_slug, pk)
    transition = INCIDENT[name]
    ensure(INCIDENT.allows(membership, incident, name), str(transition.refusal))
    form = IncidentActionForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("Check the form: %(errors)s") % {"errors": errors})
        return redirect("incidents:incident_detail", org_slug, pk)
    data = form.cleaned_data
    try:
        save_with_choices(
            form,
            lambda: services.incident_act(
                actor=request.user,
                incident=incident,
                name=name,
                expected_version=data["version"],
                text=data["text"],
                at=data["at"],
            ),
            actor=request.user,
            obj=incident,
        )
    except EditConflict:
        messages.error(request, _("Someone changed this incident meanwhile; here it is as it is now."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, str(transition.done))
    return redirect("incidents:incident_detail", org_slug, pk)


@login_required
@require_POST
def timeline_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, incident = _incident(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(rules.can_work_on_incident(membership, incident), _("Leads and the incident's teams add to its timeline."))
    form = TimelineEntryForm(request.POST)
    outcome = run_service(
        form,
        lambda: services.timeline_add(
            actor=request.user,
            incident=incident,
            occurred_at=form.cleaned_data["occurred_at"],
            text=form.cleaned_data["text"],
        ),
        actor=request.user,
        about=incident,
    )
    if outcome.saved:
        messages.success(request, _("Added to the timeline."))
        return redirect(reverse("incidents:incident_detail", args=[org_slug, pk]) + "#timeline")
    # Shown again with the user's text, its errors and any strip-or-keep choice about hidden characters.
    return render(request, "incidents/incident_detail.html", _detail_context(membership, incident, form))


@login_required
def incident_review(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Write or correct the post-incident review."""
    membership, incident = _incident(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(rules.can_work_on_incident(membership, incident), _("Leads and the incident's teams write the review."))
    form = ReviewForm(request.POST or None, instance=incident, org=membership.organisation)
    outcome = run_service(
        form,
        lambda: services.review_save(
            actor=request.user,
            incident=incident,
            expected_version=form.cleaned_data["version"],
            data=form.review_data(),
            threats=form.cleaned_data["threats"],
            controls=form.cleaned_data["controls"],
            risks=form.cleaned_data["risks"],
        ),
        actor=request.user,
        about=incident,
    )
    if outcome.saved:
        messages.success(request, _("Post-incident review saved."))
        return redirect("incidents:incident_detail", org_slug, pk)
    fetch_choices(form)
    return render(
        request, "incidents/review_form.html", {"form": form, "incident": incident, "conflict": outcome.conflict}
    )


@login_required
def incident_follow_up(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Raise follow-up work for one affected system (a control assignment or a team's action)."""
    membership, incident = _incident(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(rules.can_work_on_incident(membership, incident), _("Leads and the incident's teams raise follow-ups."))
    form = IncidentFollowUpForm(request.POST or None, incident=incident)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            save_with_choices(
                form,
                lambda: services.incident_follow_up(
                    actor=request.user,
                    incident=incident,
                    system=data["ai_system"],
                    control=data["control"],
                    title=data["title"],
                    owner_team=data["owner_team"],
                    assignee=data["assignee"],
                    due_date=data["due_date"],
                ),
                actor=request.user,
                obj=incident,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Follow-up raised; it is in the owner team's work."))
            return redirect("incidents:incident_detail", org_slug, pk)
    fetch_choices(form)
    return render(request, "incidents/follow_up_form.html", {"form": form, "incident": incident})


@login_required
@require_POST
def incident_raise_risk(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """One step from a closed incident to a draft risk scenario of one of its systems."""
    membership, incident = _incident(request, org_slug, pk, min_role=Role.MEMBER)
    form = VersionOnlyForm(request.POST)
    system = next((s for s in incident.systems.all() if str(s.pk) == request.POST.get("system")), None)
    if system is None or not form.is_valid():
        messages.error(request, _("Choose one of the affected systems."))
        return redirect("incidents:incident_detail", org_slug, pk)
    ensure(can_create_record(membership, system), _("Leads and the system's owner team add risks to it."))
    try:
        risk = services.risk_from_incident(
            actor=request.user, incident=incident, system=system, expected_version=form.cleaned_data["version"]
        )
    except EditConflict:
        messages.error(request, _("Someone changed this incident meanwhile; here it is as it is now."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Draft risk scenario raised from the incident; refine and submit it."))
        return redirect("risks:risk_detail", org_slug, risk.pk)
    return redirect("incidents:incident_detail", org_slug, pk)
