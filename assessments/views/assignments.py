"""One control assignment: its page, lifecycle actions, edits, evidence and comments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    can_change_assignment_owner,
    can_comment_on_assignment,
    can_work_on_assignment,
    ensure,
    get_object_for_user,
)
from accounts.models import Role
from audit.services import conflict_context, history_for
from core.concurrency import EditConflict
from core.rendering import fetch_choices

from ..forms import ActionForm, AssignmentEditForm, CommentForm, EvidenceForm
from ..models import Evidence
from ..services import assignments as services
from ..workflow import ACTIONS, available
from .common import add_service_error, assignment_rows, safe_next, with_quick_actions


def _detail_context(membership, assignment, **forms) -> dict:
    evidence = list(assignment.evidence.select_related("uploaded_by"))
    today = timezone.localdate()
    current = sum(1 for e in evidence if not e.is_expired(today))
    can_work = can_work_on_assignment(membership, assignment)
    actions = available(membership, assignment, current_evidence=current)
    match = assignment.control.applicability(assignment.ai_system)
    context = {
        "assignment": assignment,
        "system": assignment.ai_system,
        "control": assignment.control,
        "why": match.reasons,
        "still_applies": match.applies,
        "actions": actions,
        "implement_blocked": ACTIONS["implement"].blocked(assignment, current_evidence=current)
        if can_work and assignment.status in ACTIONS["implement"].sources
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


def _detail_queryset():
    return assignment_rows().select_related(
        "implemented_by", "verified_by", "cosigned_by", "na_proposed_by", "na_approved_by"
    )


def _get(request, org_slug, pk, **kwargs):
    return get_object_for_user(request, org_slug, _detail_queryset(), pk, **kwargs)


@login_required
def assignment_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assignment = _get(request, org_slug, pk)
    return render(request, "assessments/assignment_detail.html", _detail_context(membership, assignment))


@login_required
@require_POST
def assignment_act(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """A lifecycle action, from the assignment page or inline from a list (htmx swaps the row;
    without JavaScript the list reloads)."""
    membership, assignment = _get(request, org_slug, pk, min_role=Role.MEMBER)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "assessments/assignment_detail.html",
            _detail_context(membership, assignment, action_error=_("Choose an action.")),
        )
    action = ACTIONS[form.cleaned_data["action"]]
    ensure(action.permission(membership, assignment), _("Your role or team does not allow this on this assignment."))
    conflict = error = None
    try:
        services.assignment_act(
            actor=request.user,
            assignment=assignment,
            action=action.key,
            expected_version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
        )
    except EditConflict as exc:
        conflict = conflict_context(exc)
    except ValidationError as exc:
        error = " ".join(exc.messages)
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
                "next": safe_next(request, ""),
            },
        )
    if conflict or error:
        if inline:
            messages.error(request, error or _("Someone else changed this assignment meanwhile; nothing was saved."))
            return redirect(safe_next(request, assignment.get_absolute_url()))
        assignment = _detail_queryset().get(pk=pk)
        context = _detail_context(membership, assignment, action_error=error)
        context["conflict"] = conflict
        return render(request, "assessments/assignment_detail.html", context)
    messages.success(request, _("%(ref)s: %(action)s done.") % {"ref": assignment.control.ref, "action": action.label})
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
    conflict = None
    if form.is_valid():
        try:
            services.assignment_update(
                actor=request.user,
                assignment=assignment,
                expected_version=form.cleaned_data["version"],
                data=form.changes(),
            )
        except EditConflict as exc:
            conflict = conflict_context(exc, form)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("assessments:assignment_detail", org_slug, pk)
    assignment = _detail_queryset().get(pk=pk)
    context = _detail_context(membership, assignment, edit_form=form)
    context["conflict"] = conflict
    return render(request, "assessments/assignment_detail.html", context)


@login_required
@require_POST
def evidence_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assignment = _get(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(can_work_on_assignment(membership, assignment), _("Only the owner team and leads add evidence."))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user,
                assignment=assignment,
                upload=form.cleaned_data["file"],
                link=form.cleaned_data["link"],
                note=form.cleaned_data["note"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
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
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_filename,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def comment_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, assignment = _get(request, org_slug, pk, min_role=Role.MEMBER)
    ensure(can_comment_on_assignment(membership, assignment), _("Only leads and the teams involved comment here."))
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(actor=request.user, assignment=assignment, body=form.cleaned_data["body"])
        messages.success(request, _("Comment added."))
        return redirect(f"{assignment.get_absolute_url()}#comments")
    return render(
        request, "assessments/assignment_detail.html", _detail_context(membership, assignment, comment_form=form)
    )
