"""Assessment pages: the list, a system's Assessment tab, the questionnaire, the plan, the review."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, ensure, get_membership, get_object_for_user
from accounts.models import Role, Team
from audit.editing import run_service
from audit.hidden_text import save_with_choices
from audit.services import history_for
from audit.versions import cached_fragment, fragment_key, kept_template
from core.extensions import CONTROL_READINESS, TEAMS_LOAD, first
from core.pages import paginate

from .. import questionnaire as q
from ..forms import AssessmentFilterForm, AssessmentStartForm, PlanForm, ReviewForm, SectionForm, SubmitForm
from ..forms.assessments import original_field, version_field
from ..models import DECIDED, Assessment, AssessmentStatus, ControlAssignment
from ..rules import can_answer_assessment, can_lead_assessment, can_review_assessment, can_start_assessment
from ..services import assessments as services
from .common import assessment_queryset, get_assessment, system_page_context, system_queryset, with_people


@login_required
def assessment_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every assessment of the organisation, open ones first, with how far their controls are."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    form = AssessmentFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    assessments = Assessment.objects.for_org(org).select_related("ai_system", "started_by")
    if status:
        assessments = assessments.filter(status=status)
    # Per-row counts are correlated subqueries: PostgreSQL runs them for the 50 rows of the page
    # only (after the sort and the limit), and the paginator's count leaves them out. Grouping a
    # join with every assignment of every system cost ~300 ms at 100,000 assignments.
    assessments = assessments.annotate(
        assignment_total=_system_assignment_count(),
        assignment_decided=_system_assignment_count(DECIDED),
        is_open=Case(When(status=AssessmentStatus.APPROVED, then=0), default=1, output_field=IntegerField()),
    ).order_by("-is_open", "ai_system__name", "-created_at")
    page, query = paginate(request, assessments, read_rows=False)
    has_rows = page.paginator.count > 0

    def rows_html() -> SafeString:
        return render_to_string("assessments/_assessment_rows.html", {"rows": list(page.object_list), "org": org})

    def load_html() -> SafeString:
        teams = list(Team.objects.for_org(org).order_by("name"))
        loads = first(TEAMS_LOAD, organisation=org, teams=teams) or []
        return render_to_string("assessments/_team_load.html", {"loads": loads, "org": org})

    key = fragment_key(request, org)
    context = {
        "page": page,
        "rows": has_rows,
        # The rows change only with audited changes (an assessment's, its assignments', its
        # system's name, and the name of who started it: accounts.services.person_update), so
        # their HTML is kept under the data version and a kept page reads no rows.
        "rows_html": cached_fragment("assessment-rows", key, rows_html) if has_rows else "",
        "query": query,
        "filter_form": form,
        "filter_label": _("Filter assessments"),
        "clear_url": request.path,
        # Team names and counts change only with audited changes: kept under the data version,
        # so a kept panel reads neither the teams nor their load.
        "load_html": cached_fragment("team-load", key, load_html),
        "is_empty": not has_rows and not Assessment.objects.for_org(org).exists(),
    }
    return render(request, "assessments/assessment_list.html", context)


def _system_assignment_count(condition: Q | None = None):
    """The number of the row's system's active assignments (matching `condition`)."""
    rows = ControlAssignment.objects.filter(ai_system=OuterRef("ai_system"), retired_at__isnull=True)
    if condition is not None:
        rows = rows.filter(condition)
    counted = rows.order_by().values("ai_system").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _assessment_context(membership, assessment: Assessment) -> dict:
    """Everything the assessment page shows, for its status."""
    system = assessment.ai_system
    context = system_page_context(membership, system, "assessment")
    rows = services.answer_rows(assessment)
    values = services.answer_values(assessment, rows)
    context.update(
        {
            "assessment": assessment,
            "progress": q.progress(values),
            "answers": [
                (section, [(question, question.display(values.get(question.key))) for question in section.questions])
                for section in q.SECTIONS
            ],
            "reviews": list(assessment.reviews.select_related("reviewer")),
            "readiness": first(CONTROL_READINESS, system=system) if not assessment.is_draft else None,
            "can_answer": can_answer_assessment(membership, assessment),
            "can_lead": can_lead_assessment(membership),
            "can_review": can_review_assessment(membership, assessment)
            and assessment.status == AssessmentStatus.IN_REVIEW,
            "past": list(
                system.assessments.exclude(pk=assessment.pk).select_related("approved_by").order_by("-created_at")[:20]
            ),
            "events": history_for(assessment, limit=30),
        }
    )
    if assessment.is_locked and can_start_assessment(membership, system) and not system.assessments.open().exists():
        context["start_form"] = AssessmentStartForm()
    if assessment.is_working:
        context["submit_form"] = SubmitForm(initial={"version": assessment.version})
    if context["can_review"]:
        context["review_form"] = ReviewForm(initial={"version": assessment.version})
    return context


@login_required
def system_assessment(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The system's Assessment tab: its latest assessment, or how to start the first one."""
    membership, system = get_object_for_user(request, org_slug, system_queryset(), pk)
    latest = assessment_queryset().filter(ai_system=system).order_by("-created_at", "-pk").first()
    if latest is not None:
        return render(
            request, "assessments/assessment_detail.html", _assessment_context(membership, with_people(latest))
        )
    context = system_page_context(membership, system, "assessment")
    context["can_start"] = can_start_assessment(membership, system)
    context["start_form"] = AssessmentStartForm() if context["can_start"] else None
    return render(request, "assessments/system_assessment_empty.html", context)


@login_required
@require_POST
def assessment_start(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, system = get_object_for_user(request, org_slug, system_queryset(), pk, min_role=Role.LEAD)
    ensure(can_start_assessment(membership, system), _("A retired system is not assessed."))
    form = AssessmentStartForm(request.POST)
    if form.is_valid():
        try:
            assessment = services.assessment_start(
                actor=request.user, system=system, due_date=form.cleaned_data["due_date"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessments:system_assessment", org_slug, pk)
        messages.success(request, _("Assessment started. Answers save as you go; you can leave and come back."))
        return redirect("assessments:assessment_section", org_slug, assessment.pk, q.SECTIONS[0].key)
    context = system_page_context(membership, system, "assessment")
    context.update({"can_start": True, "start_form": form})
    return render(request, "assessments/system_assessment_empty.html", context)


@login_required
def assessment_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assessment = get_assessment(request, org_slug, pk)
    return render(
        request, "assessments/assessment_detail.html", _assessment_context(membership, with_people(assessment))
    )


# --- The questionnaire ------------------------------------------------------------------------


@login_required
def assessment_section(request: AuthenticatedHttpRequest, org_slug: str, pk: int, section: str) -> HttpResponse:
    """One questionnaire section. Without JavaScript, “Save and continue” posts the section;
    with htmx every change is saved at once (an autosave) and only what changed comes back."""
    membership, assessment = get_assessment(request, org_slug, pk, min_role=Role.MEMBER)
    current = q.section(section)
    if current is None:
        raise Http404("No such section")
    if not assessment.is_draft:
        messages.info(request, _("The questionnaire is closed: the control plan has been confirmed."))
        return redirect("assessments:assessment_detail", org_slug, pk)
    ensure(
        can_answer_assessment(membership, assessment),
        _("Only leads and the team that owns the system answer the questionnaire."),
    )
    form = _section_form(assessment, current, request.POST or None)
    result = None
    if form.is_valid():
        try:
            result = save_with_choices(
                form,
                lambda: services.answers_save(
                    actor=request.user,
                    assessment=assessment,
                    values=form.answers(),
                    versions=form.versions(),
                    originals=form.originals(),
                ),
                actor=request.user,
                obj=assessment,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessments:assessment_detail", org_slug, pk)
        if not result.conflicts and not request.htmx:
            still = q.blockers(services.answer_values(assessment), current)
            if still:
                messages.warning(
                    request,
                    ngettext(
                        "Answers saved. %(n)d answer in “%(section)s” still blocks completing the questionnaire.",
                        "Answers saved. %(n)d answers in “%(section)s” still block completing the questionnaire.",
                        len(still),
                    )
                    % {"n": len(still), "section": current.title},
                )
            else:
                messages.success(request, _("Answers saved."))
            following = q.section(request.POST.get("goto", "")) or q.next_section(current.key)
            if following:
                return redirect("assessments:assessment_section", org_slug, pk, following.key)
            return redirect("assessments:assessment_plan", org_slug, pk)
        # Show the answers as they are now: theirs where someone else changed them.
        fresh = _section_form(assessment, current)
        if not request.htmx:
            form = fresh
    rows = services.answer_rows(assessment)
    values = services.answer_values(assessment, rows)
    context = {
        "assessment": assessment,
        "system": assessment.ai_system,
        "section": current,
        "form": form,
        "progress": q.progress(values),
        # What still blocks completion here, once the section has been saved at least once.
        "section_blockers": q.blockers(values, current),
        "section_touched": result is not None or any(question.key in rows for question in current.questions),
        "next_section": q.next_section(current.key),
        "result": result,
        "saved_at": timezone.now() if result else None,
    }
    if request.htmx and request.method == "POST":
        # Saved answers only need their new versions; answers someone else changed (refreshed or
        # in conflict) come back whole, swapped out of band, with the conflict notice; so do
        # answers that could not be saved, with their errors.
        if result is None:
            context["replaced_rows"] = [row for row in form.rows() if row.field.errors]
        else:
            replaced = {*result.refreshed, *(c.question.key for c in result.conflicts)}
            context["replaced_rows"] = [row for row in fresh.rows() if row.question.key in replaced]
            context["saved_inputs"] = [
                pair
                for key in result.saved
                for pair in (
                    (version_field(key), result.versions[key]),
                    (original_field(key), json.dumps(result.current[key])),
                )
            ]
        return render(request, "assessments/assessment_section.html#autosaved", context)
    return render(request, "assessments/assessment_section.html", context)


def _section_form(assessment: Assessment, section: q.Section, data=None) -> SectionForm:
    """The section's form from the stored answers; unsaved profile answers pre-filled from the system."""
    rows = services.answer_rows(assessment)
    values = services.answer_values(assessment, rows)
    versions = {key: row.version for key, row in rows.items()}
    profile = assessment.ai_system.profile()
    prefilled = {qn.key for qn in section.questions if qn.profile and qn.key not in rows}
    for key in prefilled:
        values[key] = profile[key]
    return SectionForm(data, section=section, values=values, versions=versions, prefilled=prefilled)


# --- The control plan -------------------------------------------------------------------------


@login_required
def assessment_plan(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Completing the questionnaire: missing answers are listed first; then the plan is shown
    (counts, owners, why each control applies) and a lead confirms it."""
    membership, assessment = get_assessment(request, org_slug, pk, min_role=Role.MEMBER)
    if not assessment.is_draft:
        if request.method == "POST":
            messages.info(request, _("The plan was confirmed meanwhile; nothing was created twice."))
        return redirect("assessments:assessment_detail", org_slug, pk)
    ensure(can_answer_assessment(membership, assessment), _("Only leads and the owner team see the draft plan."))
    can_confirm = can_lead_assessment(membership)
    page: dict[str, Any] = {"assessment": assessment, "system": assessment.ai_system, "conflict": None}
    if request.method != "POST":
        # The draft plan (~470 rows at scale) follows from the answers, the library, the teams,
        # the routing rules and the current assignments, all changed only by audited services:
        # kept under the data version, one variant for those who confirm and one for the others.
        page["body"] = kept_template(
            request,
            membership.organisation,
            "assessments/_plan_body.html",
            lambda: _plan_body(assessment, can_confirm),
            vary=f"confirm={can_confirm}",
        )
        return render(request, "assessments/assessment_plan.html", page)
    ensure(can_confirm, _("A governance lead confirms the plan."))
    body = _plan_body(assessment, can_confirm, request.POST)
    form, plan = body["form"], body["plan"]
    if plan is None:  # an answer blocks the plan: shown with the problems
        return _plan_page(request, page, body)
    if form.applying:
        if form.is_valid():
            messages.info(request, _("Owners changed on the ticked controls. Check the plan, then confirm it."))
        return _plan_page(request, page, body)
    outcome = run_service(
        form,
        lambda: services.plan_confirm(
            actor=request.user,
            assessment=assessment,
            expected_version=form.cleaned_data["version"],
            system_version=form.cleaned_data["system_version"],
            owners=form.owners(),
            due_date=form.cleaned_data["due_date"],
        ),
        actor=request.user,
    )
    if outcome.saved and outcome.result is not None:
        confirmed = outcome.result
        messages.success(
            request,
            _("Plan confirmed: %(new)s assignments created, %(retired)s retired. The owning teams see them now.")
            % {"new": len(confirmed.new), "retired": len(confirmed.retire)},
        )
        return redirect("assessments:assessment_detail", org_slug, pk)
    if outcome.conflict:
        page["conflict"] = outcome.conflict
        page["conflict_on_system"] = outcome.conflict["current"]._meta.model_name == "aisystem"
        # Start again from what is true now; the user reviews the new plan before confirming.
        body = _plan_body(assessment_queryset().get(pk=pk), can_confirm)
    return _plan_page(request, page, body)


def _plan_body(assessment: Assessment, can_confirm: bool, data=None) -> dict:
    """What the plan's body shows: the answers that block it, or the plan and its form."""
    values = services.answer_values(assessment)
    problems = services.completion_problems(assessment, values)
    body = {"assessment": assessment, "problems": problems, "can_confirm": can_confirm, "plan": None, "form": None}
    if not problems:
        plan = services.plan_for(assessment, values)
        body["plan"] = plan
        body["form"] = PlanForm(
            data,
            plan=plan,
            system_version=assessment.ai_system.version,
            version=assessment.version,
            due_date=assessment.due_date,
        )
    return body


def _plan_page(request: HttpRequest, page: dict, body: dict) -> HttpResponse:
    """The plan page around a body made for this request (after a POST: errors, new owners)."""
    org = body["assessment"].organisation
    page["body"] = render_to_string("assessments/_plan_body.html", {"org": org, **body})
    return render(request, "assessments/assessment_plan.html", page)


# --- Review -----------------------------------------------------------------------------------


@login_required
@require_POST
def assessment_submit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assessment = get_assessment(request, org_slug, pk, min_role=Role.LEAD)
    form = SubmitForm(request.POST)
    return _decide(
        request,
        membership,
        assessment,
        form,
        lambda data: services.assessment_submit(
            actor=request.user, assessment=assessment, expected_version=data["version"], note=data["note"]
        ),
        _("Submitted for review. Another lead approves it or requests changes."),
    )


@login_required
@require_POST
def assessment_review(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assessment = get_assessment(request, org_slug, pk, min_role=Role.LEAD)
    ensure(can_review_assessment(membership, assessment), _("Another lead reviews: you submitted this assessment."))
    form = ReviewForm(request.POST)
    return _decide(
        request,
        membership,
        assessment,
        form,
        lambda data: services.assessment_review(
            actor=request.user,
            assessment=assessment,
            expected_version=data["version"],
            decision=data["decision"],
            comment=data["comment"],
        ),
        _("Review recorded."),
    )


def _decide(request, membership, assessment, form, service, success: str) -> HttpResponse:
    """Submit and review share one shape: validate, call the service, show a conflict or errors."""
    outcome = run_service(form, lambda: service(form.cleaned_data), actor=request.user, about=assessment)
    conflict = outcome.conflict
    if outcome.saved:
        messages.success(request, success)
        return redirect("assessments:assessment_detail", assessment.organisation.slug, assessment.pk)
    assessment = with_people(assessment_queryset().get(pk=assessment.pk))
    context = _assessment_context(membership, assessment)
    context["conflict"] = conflict
    key = "review_form" if isinstance(form, ReviewForm) else "submit_form"
    if not conflict:
        context[key] = form
    return render(request, "assessments/assessment_detail.html", context)
