"""The prompt hygiene scanner: scan pasted or uploaded text for hidden characters, and attach
the report to a control assignment as evidence."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, team_ids
from accounts.models import Membership, Role
from assessments.evidence import validate_upload
from assessments.models import ControlAssignment
from assessments.rules import can_work_on_assignment
from assessments.services.assignments import evidence_add
from core.hidden_text import KIND_LABELS, ScanReport, format_report, position, scan_document

from .forms import AttachForm, ScanForm, encode_payload

PREVIEW_CHARS = 20_000  # the marked-up preview shows at most this much of the scanned text


def attachable_assignments(membership: Membership):
    """Active assignments the member may add evidence to (can_work_on_assignment, in SQL)."""
    rows = ControlAssignment.objects.for_org(membership.organisation).active()
    if not membership.is_lead:
        rows = rows.filter(owner_team_id__in=team_ids(membership)) if membership.can_edit else rows.none()
    return rows.select_related("ai_system", "control").order_by("ai_system__name", "control__ref")


def report_text(report: ScanReport, *, text: str, actor, organisation) -> str:
    """The evidence file: who scanned what and when, a digest of the input and every finding."""
    lines = [
        "Bastion prompt hygiene report",
        f"Organisation: {organisation.name}",
        f"Scanned by: {actor.get_full_name() or actor.username} ({actor.username})",
        f"Scanned at: {timezone.now().isoformat(timespec='seconds')}",
        f"Source: {report.source} (read as {report.format}, {report.lines} lines)",
        f"SHA-256 of the scanned text (UTF-8): {hashlib.sha256(text.encode('utf-8')).hexdigest()}",
        "",
    ]
    if report.payloads:
        lines.append("Smuggled text decoded:")
        lines.extend(f"  {position(f)}: “{f.decoded}”" for f in report.payloads)
        lines.append("")
    lines.append(format_report(report))
    return "\n".join(lines) + "\n"


def _scan_context(membership, scan_form, *, report=None, text="", attach_form=None, preselect=None) -> dict:
    can_attach = membership.can_edit
    context = {
        "form": scan_form,
        "report": report,
        "kind_labels": KIND_LABELS,
        "can_attach": can_attach,
        "attach_form": attach_form,
    }
    if report is not None:
        context["preview"] = text[:PREVIEW_CHARS]
        context["preview_cut"] = len(text) > PREVIEW_CHARS
        if can_attach and attach_form is None:
            context["attach_form"] = AttachForm(
                assignments=attachable_assignments(membership),
                initial={
                    "payload": encode_payload(text),
                    "source": report.source,
                    "fmt": report.format,
                    "assignment": preselect,
                },
            )
    return context


@login_required
def scan(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Any member, viewers included, may scan: nothing is stored unless attached."""
    membership = get_membership(request, org_slug)
    form = ScanForm(request.POST or None, request.FILES or None)
    report = text = None
    if form.is_valid():
        text = form.cleaned_data["scanned"]
        report = scan_document(text, source=form.cleaned_data["source"], fmt=form.cleaned_data["fmt"])
    # Coming from an assignment's page (?assignment=<pk>), the attach form starts on it.
    preselect = request.GET.get("assignment", "")
    context = _scan_context(
        membership, form, report=report, text=text or "", preselect=int(preselect) if preselect.isdigit() else None
    )
    context["form_action"] = request.get_full_path()
    return render(request, "hygiene/scan.html", context)


@login_required
@require_POST
def attach(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Scan the text again and attach the report as a text file to an assignment."""
    membership = get_membership(request, org_slug, min_role=Role.MEMBER)
    org = membership.organisation
    # Any active assignment of the organisation is found; the rule below then says 403 or not.
    form = AttachForm(request.POST, assignments=ControlAssignment.objects.for_org(org).active())
    if not form.is_valid():
        if "payload" in form.errors or "source" in form.errors or "fmt" in form.errors:
            messages.error(request, _("The scanned text did not come back intact; scan it again."))
            return redirect("hygiene:scan", org_slug)
        return _rerender(request, membership, form)
    assignment = form.cleaned_data["assignment"]
    ensure(
        can_work_on_assignment(membership, assignment),
        _("Only the owner team and leads add evidence to this assignment."),
    )
    text = form.cleaned_data["payload"]
    report = scan_document(text, source=form.cleaned_data["source"], fmt=form.cleaned_data["fmt"])
    body = report_text(report, text=text, actor=request.user, organisation=org)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    name = f"hygiene-report-{slugify(report.source)[:60] or 'input'}-{stamp}.txt"
    try:
        upload = validate_upload(ContentFile(body.encode("utf-8"), name=name))
        evidence_add(actor=request.user, assignment=assignment, upload=upload)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hygiene:scan", org_slug)
    messages.success(
        request,
        _("Report attached to %(ref)s on “%(system)s” (%(n)d findings).")
        % {"ref": assignment.control.ref, "system": assignment.ai_system.name, "n": report.total},
    )
    return redirect("assessments:assignment_detail", org_slug, assignment.pk)


def _rerender(request, membership, attach_form) -> HttpResponse:
    """The attach form was incomplete (no assignment chosen): show the report again."""
    text = attach_form.cleaned_data.get("payload", "")
    report = scan_document(text, source=attach_form.cleaned_data["source"], fmt=attach_form.cleaned_data["fmt"])
    attach_form.fields["assignment"].queryset = attachable_assignments(membership)
    context = _scan_context(membership, ScanForm(), report=report, text=text, attach_form=attach_form)
    return render(request, "hygiene/scan.html", context)
