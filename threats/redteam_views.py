"""Red-team exercise pages: list, the system's tab, the exercise with its findings, and the CSV
import of findings. Lifecycle, versions, History and follow-ups: records.views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from core.pages import paginate
from records.rules import can_work_on_record
from records.views import add_to_record, create_for_system, edit_draft, get_record, record_context, system_tab

from . import services
from .forms import ExerciseForm, FindingForm, ImportForm
from .models import BLOCKING, FindingStatus, RedTeamExercise, RedTeamFinding
from .scanners import MAX_BYTES
from .workflow import EXERCISE_KIND as KIND

OPEN_BLOCKING = Q(findings__status=FindingStatus.OPEN, findings__severity__in=BLOCKING)


@login_required
def exercise_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    rows = (
        RedTeamExercise.objects.for_org(membership.organisation)
        .latest()
        .select_related("ai_system", "team")
        .annotate(finding_count=Count("findings"), open_blocking=Count("findings", filter=OPEN_BLOCKING))
        .order_by(F("ends_on").desc(), "pk")
    )
    page, query = paginate(request, rows)
    return render(request, "threats/exercise_list.html", {"page": page, "query": query})


@login_required
def system_exercises(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return system_tab(
        request,
        org_slug,
        pk,
        KIND,
        rows=lambda system: (
            RedTeamExercise.objects.filter(ai_system=system)
            .select_related("team")
            .annotate(finding_count=Count("findings"), open_blocking=Count("findings", filter=OPEN_BLOCKING))
            .order_by("-ends_on", "-pk")
        ),
        template="threats/system_exercises.html",
    )


@login_required
def exercise_create(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    def make_form(membership, system, data):
        today = timezone.localdate()
        title = _("Red-team exercise on %(name)s") % {"name": system.name}
        initial = {"title": title, "starts_on": today, "ends_on": today}
        return ExerciseForm(data, org=membership.organisation, system=system, initial=initial)

    return create_for_system(
        request,
        org_slug,
        pk,
        KIND,
        make_form=make_form,
        save=lambda system, form: services.exercise_create(
            actor=request.user, system=system, data=form.record_data(), m2m=form.record_m2m()
        ),
        template="threats/exercise_form.html",
        done=_("Exercise recorded as a draft. Add its findings."),
    )


@login_required
def exercise_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, exercise = get_record(request, org_slug, pk, KIND)
    context = record_context(membership, exercise, KIND)
    findings = list(exercise.findings.select_related("threat", "control").order_by("pk"))
    context.update(
        {
            "findings": findings,
            "blocking": sum(f.is_blocking for f in findings),
            "participants": list(exercise.participants.order_by("username")),
            "threats_tried": list(exercise.threats_tried.order_by("ref")),
            "techniques": list(exercise.techniques.select_related("framework").order_by("framework__key", "position")),
            "also_in_scope": list(exercise.also_in_scope.order_by("name")),
        }
    )
    return render(request, "threats/exercise_detail.html", context)


@login_required
def exercise_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return edit_draft(
        request,
        org_slug,
        pk,
        KIND,
        make_form=lambda membership, x, data: ExerciseForm(
            data, instance=x, org=membership.organisation, system=x.ai_system
        ),
        save=lambda x, form: services.exercise_update(
            actor=request.user,
            exercise=x,
            expected_version=form.cleaned_data["version"],
            data=form.record_data(),
            m2m=form.record_m2m(),
        ),
        template="threats/exercise_form.html",
    )


@login_required
def finding_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return add_to_record(
        request,
        org_slug,
        pk,
        KIND,
        may=can_work_on_record,
        refusal=_("Leads and the system's owner team record findings."),
        make_form=lambda membership, exercise, data: FindingForm(data, org=membership.organisation),
        save=lambda exercise, form: services.finding_add(
            actor=request.user, exercise=exercise, data=form.finding_data()
        ),
        done=_("Finding recorded."),
        template="threats/finding_form.html",
        tab="finding",
    )


@login_required
def finding_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, finding = get_object_for_user(
        request, org_slug, RedTeamFinding.objects.select_related("exercise__ai_system__owner_team"), pk
    )
    exercise = finding.exercise
    can_change = can_work_on_record(membership, exercise)
    if request.method == "POST":
        ensure(can_change, _("Leads and the system's owner team change findings."))
    form = FindingForm(request.POST or None, instance=finding, org=membership.organisation)
    outcome = run_service(
        form,
        lambda: services.finding_update(
            actor=request.user, finding=finding, expected_version=form.cleaned_data["version"], data=form.finding_data()
        ),
        actor=request.user,
        about=finding,
    )
    if outcome.saved:
        messages.success(request, _("Finding updated."))
        return redirect("threats:exercise_detail", org_slug, exercise.pk)
    context = record_context(membership, exercise, KIND, "finding")
    context.update(
        {
            "form": form,
            "finding": finding,
            "framework_items": list(
                finding.framework_items.select_related("framework").order_by("framework__key", "ref")
            ),
            "conflict": outcome.conflict,
            "can_change": can_change,
        }
    )
    return render(request, "threats/finding_form.html", context)


def import_message(outcome: services.Imported) -> str:
    text = _("%(n)s findings imported.") % {"n": len(outcome.added)}
    if outcome.already:
        text += " " + _("%(n)s were already imported and were left as they are.") % {"n": outcome.already}
    return text


@login_required
def findings_import(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, exercise = get_record(request, org_slug, pk, KIND, min_role=Role.MEMBER)
    ensure(can_work_on_record(membership, exercise), _("Leads and the system's owner team record findings."))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data["file"].read(MAX_BYTES + 1)
        try:
            outcome = services.findings_import(
                actor=request.user, exercise=exercise, data=data, file_format=form.cleaned_data["format"] or "csv"
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, import_message(outcome))
            return redirect("threats:exercise_detail", org_slug, pk)
    context = record_context(membership, exercise, KIND, "import")
    context.update({"form": form, "errors": errors})
    return render(request, "threats/findings_import.html", context)
