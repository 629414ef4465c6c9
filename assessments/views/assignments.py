"""One control assignment: its page, lifecycle actions, edits, evidence and comments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, ensure, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from audit.hidden_text import save_with_choices
from audit.services import conflict_context, history_for
from core.concurrency import EditConflict
from core.rendering import fetch_choices, fetch_related

from ..evidence import download
from ..forms import ActionForm, AssignmentEditForm, CommentForm, EvidenceForm
from ..models import Evidence
from ..rules import can_change_assignment_owner, can_comment_on_assignment, can_work_on_assignment
from ..services import assignments as services
from ..workflow import ASSIGNMENT
from .common import assignment_rows, done_message, safe_next, with_quick_actions


def _detail_context(membership, assignment, **forms) -> dict:
    evidence = list(assignment.evidence.select_related("uploaded_by"))
    today = timezone.localdate()
    current = sum(1 for e in evidence if not e.is_expired(today))
    can_work = can_work_on_assignment(membership, assignment)
    assignment.current_evidence = current  # the guards read it instead of counting again
    actions = ASSIGNMENT.available(membership, assignment)
    implement = ASSIGNMENT["implement"]
    match = assignment.control.applicability(assignment.ai_system)
    context = {
        "assignment": assignment,
        "system": assignment.ai_system,
        "control": assignment.control,
        "why": match.reasons,
        "still_applies": match.applies,
        "actions": actions,
        "implement_blocked": ASSIGNMENT.blocked(implement, assignment)
        if can_work and assignment.status in implement.sources
        else None,
        "evidence": evidence,
        "today": today,
        "comments": list(assignment.comments.select_related("author")),
        "can_work": can_work,
        "can_comment": can_comment_on_assignment(membership, assignment),
        "events": history_for(assignment, limit=50),
        "conflict": None,
    }
    if can_work:
        context["edit_form"] = forms.get("edit_form") or AssignmentEditForm(
            instance=assignment,
            org=membership.organisation,
            can_change_owner=can_change_assignment_owner(membership),
        )
        fetch_choices(context["edit_form"])
        context["evidence_form"] = forms.get("evidence_form") or EvidenceForm()
    if context["can_comment"]:
        context["comment_form"] = forms.get("comment_form") or CommentForm()
    context["action_error"] = forms.get("action_error")
    return context


# Who did each step, shown on the page: read in one query after the assignment (core.rendering.fetch_related).
_PEOPLE = ("implemented_by", "verified_by", "cosigned_by", "na_proposed_by", "na_approved_by")


def _with_people(assignment):
    fetch_related(assignment, *_PEOPLE)
    return assignment


def _get(request, org_slug, pk, **kwargs):
    membership, assignment = get_object_for_user(request, org_slug, assignment_rows(), pk, **kwargs)
    return membership, _with_people(assignment)


@login_required
def assignment_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assignment = _get(request, org_slug, pk)
    return render(request, "assessments/assignment_detail.html", _detail_context(membership, assignment))


@login_required
@require_POST
def assignment_act(request: AuthenticatedHttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """A lifecycle action, from the assignment page or inline from a list (htmx swaps the row;
    without JavaScript the list reloads)."""
    membership, assignment = _get(request, org_slug, pk, min_role=Role.MEMBER)
    data = request.POST.copy()
    if "version" not in data and "version" in request.GET:
        # A list's action buttons share one form; each carries its action, and its row's
        # version comes in the URL it posts to (templates/assessments/_assignment_row.html).
        data["version"] = request.GET["version"]
    form = ActionForm(data)
    if not form.is_valid():
        if form.hidden_text_findings:  # the text needs a strip-or-keep choice: show it again
            context = _detail_context(membership, assignment, action_error=_("Check the text marked below."))
            context["action_form"] = form
            return render(request, "assessments/assignment_detail.html", context)
        return render(
            request,
            "assessments/assignment_detail.html",
            _detail_context(membership, assignment, action_error=_("Choose an action.")),
        )
    action = ASSIGNMENT[form.cleaned_data["action"]]
    ensure(ASSIGNMENT.allows(membership, assignment, action.name), str(action.refusal))
    conflict = error = None
    try:
        assignment = save_with_choices(
            form,
            lambda: services.assignment_act(
                actor=request.user,
                assignment=assignment,
                action=action.name,
                expected_version=form.cleaned_data["version"],
                text=form.cleaned_data["text"],
            ),
            actor=request.user,
            obj=assignment,
        )
    except EditConflict as exc:
        conflict = conflict_context(exc)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except PermissionDenied as exc:  # decided on the locked row: someone changed it meanwhile
        error = str(exc)
    inline = request.POST.get("row")
    if inline and request.htmx:
        assignment = with_quick_actions(membership, [assignment_rows().get(pk=pk)])[0]
        return render(
            request,
            "assessments/_assignment_row.html",
            {
                "a": assignment,
                "row": inline,
                "conflict": conflict,
                "error": error,
                "done": not (conflict or error),
                "done_label": action.label,
                "can_bulk": membership.can_edit,
            },
        )
    if conflict or error:
        if inline:
            messages.error(request, error or _("Someone else changed this assignment meanwhile; nothing was saved."))
            return redirect(safe_next(request, assignment.get_absolute_url()))
        assignment = _with_people(assignment_rows().get(pk=pk))  # as it is now, after a refused change
        context = _detail_context(membership, assignment, action_error=error)
        context["conflict"] = conflict
        return render(request, "assessments/assignment_detail.html", context)
    messages.success(request, done_message(action, assignment))
    return redirect(safe_next(request, assignment.get_absolute_url()))


@login_required
@require_POST
def assignment_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assignment = _get(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(can_work_on_assignment(membership, assignment), _("Only the owner team and leads change this assignment."))
    form = AssignmentEditForm(
        request.POST,
        instance=assignment,
        org=membership.organisation,
        can_change_owner=can_change_assignment_owner(membership),
    )
    outcome = run_service(
        form,
        lambda: services.assignment_update(
            actor=request.user,
            assignment=assignment,
            expected_version=form.cleaned_data["version"],
            data=form.changes(),
        ),
        actor=request.user,
    )
    if outcome.saved:
        messages.success(request, _("Assignment saved."))
        return redirect("assessments:assignment_detail", org_slug, pk)
    assignment = _with_people(assignment_rows().get(pk=pk))  # as it is now, after a refused change
    context = _detail_context(membership, assignment, edit_form=form)
    context["conflict"] = outcome.conflict
    return render(request, "assessments/assignment_detail.html", context)


@login_required
@require_POST
def evidence_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assignment = _get(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(can_work_on_assignment(membership, assignment), _("Only the owner team and leads add evidence."))
    form = EvidenceForm(request.POST, request.FILES)
    outcome = run_service(
        form,
        lambda: services.evidence_from_form(actor=request.user, assignment=assignment, form=form),
        actor=request.user,
        about=assignment,
    )
    if outcome.saved:
        messages.success(request, _("Evidence added."))
        return redirect("assessments:assignment_detail", org_slug, pk)
    return render(
        request, "assessments/assignment_detail.html", _detail_context(membership, assignment, evidence_form=form)
    )


@login_required
def evidence_download(request: HttpRequest, org_slug: str, pk: int) -> FileResponse:
    """Evidence files only ever leave as downloads, to members of the organisation: never shown
    in the browser (attachment, nosniff, a sandboxing CSP), never from a public media URL."""
    _membership, evidence = get_object_for_user(request, org_slug, Evidence.objects.all(), pk)
    if not evidence.file:
        raise Http404("This evidence is not a file")
    return download(evidence)


@login_required
@require_POST
def comment_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assignment = _get(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(can_comment_on_assignment(membership, assignment), _("Only leads and the teams involved comment here."))
    form = CommentForm(request.POST)
    if form.is_valid():
        save_with_choices(
            form,
            lambda: services.comment_add(actor=request.user, assignment=assignment, body=form.cleaned_data["body"]),
            actor=request.user,
            obj=assignment,
        )
        messages.success(request, _("Comment added."))
        return redirect(f"{assignment.get_absolute_url()}#comments")
    return render(
        request, "assessments/assignment_detail.html", _detail_context(membership, assignment, comment_form=form)
    )
