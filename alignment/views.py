"""Alignment review pages: the organisation's list, the system's Alignment tab, the review with its
metrics, findings, evidence and conditions, and the decision page. Lifecycle, versions, History
and follow-ups: records.views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from assessments.evidence import download
from audit.editing import run_service
from core.pages import paginate
from records.models import FollowUpStatus
from records.rules import EDIT_REFUSAL, can_edit_record
from records.views import add_to_record, create_for_system, edit_draft, get_record, record_context, system_tab

from . import services
from .forms import AttachmentForm, DecisionForm, FindingForm, MetricForm, ReviewForm
from .models import (
    AlignmentFinding,
    AlignmentReview,
    EvaluationMetric,
    ReviewAttachment,
    ReviewStatus,
    area_labels,
    failing,
)
from .standing import standing
from .workflow import KIND, REVIEW


def _with_counts(queryset):
    return queryset.annotate(
        metric_count=Count("metrics", distinct=True),
        failing_count=Count("metrics", filter=failing("metrics__"), distinct=True),
        finding_count=Count("findings", distinct=True),
    )


def _with_standing(rows) -> list:
    rows = list(rows)
    found = standing({r.ai_system_id for r in rows})
    for row in rows:
        row.standing = found[row.ai_system_id]
    return rows


@login_required
def review_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The latest review of every system, with where each system stands; nearest review first."""
    membership = get_membership(request, org_slug)
    rows = _with_counts(
        AlignmentReview.objects.for_org(membership.organisation).latest().select_related("ai_system")
    ).order_by(F("next_review_due").asc(nulls_last=True), "ai_system__name", "pk")
    page, query = paginate(request, rows)
    page.object_list = _with_standing(page.object_list)
    return render(request, "alignment/review_list.html", {"page": page, "query": query})


@login_required
def system_reviews(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return system_tab(
        request,
        org_slug,
        pk,
        KIND,
        rows=lambda system: _with_counts(
            AlignmentReview.objects.filter(ai_system=system).select_related("author", "decided_by")
        ).order_by("-pk"),
        template="alignment/system_reviews.html",
    )


@login_required
def review_create(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    def make_form(membership, system, data):
        from .models import areas_from_profile

        title = _("Alignment review of %(name)s") % {"name": system.name}
        return ReviewForm(data, system=system, initial={"title": title, "scope_areas": areas_from_profile(system)})

    return create_for_system(
        request,
        org_slug,
        pk,
        KIND,
        make_form=make_form,
        save=lambda system, form: services.review_create(actor=request.user, system=system, data=form.record_data()),
        template="alignment/review_form.html",
        done=_("Review started as a draft. Add its metrics, findings and evidence."),
    )


@login_required
def review_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, review = get_record(request, org_slug, pk, KIND)
    context = record_context(membership, review, KIND)
    condition_ids = set(review.conditions.values_list("follow_up_id", flat=True))
    today = timezone.localdate()
    for follow_up in context["follow_ups"]:
        follow_up.is_overdue = (
            follow_up.status == FollowUpStatus.OPEN and follow_up.due_date is not None and follow_up.due_date < today
        )
    missing = review.missing_required_areas()
    context.update(
        {
            "metrics": list(review.metrics.all()),
            "findings": list(review.findings.order_by("pk")),
            "attachments": list(review.attachments.select_related("uploaded_by").order_by("pk")),
            "conditions": [f for f in context["follow_ups"] if f.pk in condition_ids],
            "other_follow_ups": [f for f in context["follow_ups"] if f.pk not in condition_ids],
            "missing_areas": dict(zip(area_labels(missing), missing.values(), strict=True)),
            "areas": services.controls_by_area(review),
            "can_decide": review.status == ReviewStatus.IN_REVIEW and REVIEW.allows(membership, review, "approve"),
        }
    )
    return render(request, "alignment/review_detail.html", context)


@login_required
def review_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return edit_draft(
        request,
        org_slug,
        pk,
        KIND,
        make_form=lambda membership, review, data: ReviewForm(data, instance=review, system=review.ai_system),
        save=lambda review, form: services.review_update(
            actor=request.user, review=review, expected_version=form.cleaned_data["version"], data=form.record_data()
        ),
        template="alignment/review_form.html",
    )


@login_required
def review_decide(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, review = get_record(request, org_slug, pk, KIND, min_role=Role.LEAD)
    ensure(REVIEW.allows(membership, review, "approve"), str(REVIEW["approve"].refusal))
    if review.status != ReviewStatus.IN_REVIEW:
        messages.info(request, _("Only a review submitted for review is decided."))
        return redirect("alignment:review_detail", org_slug, pk)
    form = DecisionForm(request.POST or None, org=membership.organisation, initial={"version": review.version})
    outcome = run_service(
        form,
        lambda: services.review_decide(
            actor=request.user,
            review=review,
            decision=form.cleaned_data["decision"],
            expected_version=form.cleaned_data["version"],
            comment=form.cleaned_data["text"],
            conditions=form.conditions(),
        ),
        actor=request.user,
        about=review,
    )
    if outcome.saved:
        messages.success(request, _("Decision recorded."))
        return redirect("alignment:review_detail", org_slug, pk)
    context = record_context(membership, review, KIND, "decide")
    context.update({"form": form, "conflict": outcome.conflict, "metrics": list(review.metrics.all())})
    return render(request, "alignment/review_decide.html", context)


# --- Metrics and findings of a draft: one set of views serves both (`kind` from the URL) --------------------------

CHILDREN: dict[str, tuple[Any, Any, Any]] = {
    "metric": (EvaluationMetric, MetricForm, _("Metric")),
    "finding": (AlignmentFinding, FindingForm, _("Finding")),
}


def _child_page(request, membership, review, kind: str, form, child=None, conflict=None) -> HttpResponse:
    context = record_context(membership, review, KIND, kind)
    context.update({"form": form, "child": child, "child_kind": kind, "child_label": CHILDREN[kind][2]})
    context["conflict"] = conflict
    return render(request, "alignment/child_form.html", context)


@login_required
def child_add(request: HttpRequest, org_slug: str, pk: int, kind: str) -> HttpResponse:
    _model, form_class, _label = CHILDREN[kind]
    membership, review = get_record(request, org_slug, pk, KIND, min_role=Role.MEMBER)
    ensure(can_edit_record(membership, review), EDIT_REFUSAL)
    form = form_class(request.POST or None, review=review)
    outcome = run_service(
        form,
        lambda: services.child_add(_model, actor=request.user, review=review, data=form.child_data()),
        actor=request.user,
        about=review,
    )
    if outcome.saved:
        messages.success(request, _("Saved."))
        return redirect("alignment:review_detail", org_slug, pk)
    return _child_page(request, membership, review, kind, form)


@login_required
def child_edit(request: HttpRequest, org_slug: str, pk: int, kind: str) -> HttpResponse:
    model, form_class, _label = CHILDREN[kind]
    membership, child = get_object_for_user(
        request, org_slug, model.objects.select_related("review__ai_system__owner_team"), pk, min_role=Role.MEMBER
    )
    review = KIND.queryset().get(pk=child.review_id)
    ensure(can_edit_record(membership, review), EDIT_REFUSAL)
    form = form_class(request.POST or None, instance=child, review=review)
    outcome = run_service(
        form,
        lambda: services.child_update(
            child, actor=request.user, expected_version=form.cleaned_data["version"], data=form.child_data()
        ),
        actor=request.user,
        about=review,
    )
    if outcome.saved:
        messages.success(request, _("Saved."))
        return redirect("alignment:review_detail", org_slug, review.pk)
    return _child_page(request, membership, review, kind, form, child=child, conflict=outcome.conflict)


@login_required
@require_POST
def child_remove(request: HttpRequest, org_slug: str, pk: int, kind: str) -> HttpResponse:
    model = CHILDREN[kind][0]
    membership, child = get_object_for_user(
        request, org_slug, model.objects.select_related("review__ai_system"), pk, min_role=Role.MEMBER
    )
    ensure(can_edit_record(membership, child.review), EDIT_REFUSAL)
    try:
        services.child_remove(child, actor=request.user)
        messages.success(request, _("Removed from the draft."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("alignment:review_detail", org_slug, child.review_id)


# --- Evidence ----------------------------------------------------------------------------------


@login_required
def attachment_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return add_to_record(
        request,
        org_slug,
        pk,
        KIND,
        may=can_edit_record,
        refusal=EDIT_REFUSAL,
        make_form=lambda membership, review, data: AttachmentForm(data, request.FILES or None),
        save=lambda review, form: services.attachment_add(
            actor=request.user,
            review=review,
            upload=form.cleaned_data["file"],
            link=form.cleaned_data["link"],
            note=form.cleaned_data["note"],
            valid_until=form.cleaned_data["valid_until"],
        ),
        done=_("Evidence attached."),
        template="alignment/attachment_form.html",
        tab="attachment",
    )


@login_required
def attachment_download(request: HttpRequest, org_slug: str, pk: int) -> FileResponse:
    _membership, attachment = get_object_for_user(request, org_slug, ReviewAttachment.objects.all(), pk)
    if not attachment.file:
        raise Http404("This evidence is not a file")
    return download(attachment)
