"""Pages of the regulatory documents: the Regulatory tab of an AI system (Annex IV technical file
draft, fundamental-rights impact assessments) and the organisation's Statement of Applicability."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.access import ensure, get_membership, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from audit.versions import kept_template
from governance.models import AISystem, EUAIActTier, FrameworkItem
from governance.views.inventory import system_page_context
from records.models import RecordStatus
from records.rules import can_create_record
from records.views import create_for_system, edit_draft, get_record, record_context
from reports.documents import render_docx, render_pdf, render_xlsx

from . import annex_iv, documents, rules, services, soa
from .facts import system_facts
from .forms import FRIAForm, SoADecisionForm, TechnicalFileForm
from .models import FundamentalRightsAssessment, SoADecision, TechnicalFile
from .workflow import KIND

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(data: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{slugify(stem)}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _system(request, org_slug, pk, **kwargs):
    return get_object_for_user(
        request, org_slug, AISystem.objects.select_related("owner_team", "organisation"), pk, **kwargs
    )


# --- The system's Regulatory tab ----------------------------------------------------------------


@login_required
def system_regulatory(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """What the EU AI Act asks of this system here: the technical file (providers of high-risk
    systems) and the fundamental-rights impact assessments (deployers of high-risk systems)."""
    membership, system = _system(request, org_slug, pk)
    context = system_page_context(membership, system, "regulatory")
    technical_refusal = rules.technical_file_refusal(system)
    draft = None if technical_refusal else annex_iv.build(system)
    context.update(
        {
            "technical_refusal": technical_refusal,
            "draft": draft,
            "fria_refusal": rules.fria_refusal(system),
            "frias": list(
                FundamentalRightsAssessment.objects.latest()
                .filter(ai_system=system)
                .select_related("author", "approved_by")
                .order_by("-pk")
            ),
            "can_create_fria": can_create_record(membership, system),
        }
    )
    return render(request, "regulatory/system_regulatory.html", context)


def _draft_or_refuse(system):
    refusal = rules.technical_file_refusal(system)
    ensure(refusal is None, refusal or "")
    return annex_iv.build(system, system_facts(system))


@login_required
def technical_file(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The Annex IV draft, section by section, with the information still missing."""
    membership, system = _system(request, org_slug, pk)
    draft = _draft_or_refuse(system)
    context = system_page_context(membership, system, "regulatory")
    context.update({"draft": draft, "can_edit_statements": rules.can_edit_technical_file(membership, system)})
    return render(request, "regulatory/technical_file.html", context)


@login_required
def technical_file_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, system = _system(request, org_slug, pk, min_role=Role.MEMBER)
    refusal = rules.technical_file_refusal(system)
    ensure(refusal is None, refusal or "")
    ensure(
        rules.can_edit_technical_file(membership, system),
        _("Leads and the system's owner team write the technical file."),
    )
    statements = TechnicalFile.objects.filter(ai_system=system).first() or TechnicalFile(
        organisation=system.organisation, ai_system=system
    )
    form = TechnicalFileForm(request.POST or None, instance=statements)
    # A page opened before the first save carries no version: the service then reports the
    # conflict with what the other editor saved, instead of a bare "required" on a hidden field.
    form.fields["version"].required = False
    outcome = run_service(
        form,
        lambda: services.technical_file_save(
            actor=request.user,
            system=system,
            data=form.statements(),
            expected_version=form.cleaned_data.get("version"),
        ),
        actor=request.user,
        about=system,
    )
    if outcome.saved:
        messages.success(request, _("Technical file statements saved."))
        return redirect("regulatory:technical_file", org_slug, pk)
    context = system_page_context(membership, system, "regulatory")
    context.update({"form": form, "conflict": outcome.conflict})
    return render(request, "regulatory/technical_file_form.html", context)


@login_required
def technical_file_export(request: HttpRequest, org_slug: str, pk: int, fmt: str) -> HttpResponse:
    _membership, system = _system(request, org_slug, pk)
    if fmt not in ("pdf", "docx"):
        raise Http404("No such format")
    document = documents.technical_file_document(_draft_or_refuse(system))
    data = render_pdf(document) if fmt == "pdf" else render_docx(document)
    return _download(data, fmt, f"technical-file-{system.name}")


# --- Fundamental-rights impact assessments --------------------------------------------------------


@login_required
def fria_create(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Start an assessment, pre-filled from the profile, the answers and the risk register. Only
    offered where Art. 27 asks for one: high-risk systems we deploy."""
    _membership, system = _system(request, org_slug, pk, min_role=Role.MEMBER)
    refusal = rules.fria_refusal(system)
    if refusal:
        messages.error(request, refusal)
        return redirect("regulatory:system_regulatory", org_slug, pk)

    def make_form(membership, system, data):
        return FRIAForm(data, initial=None if data else services.fria_prefill(system))

    return create_for_system(
        request,
        org_slug,
        pk,
        KIND,
        make_form=make_form,
        save=lambda system, form: services.fria_create(actor=request.user, system=system, data=form.record_data()),
        template="regulatory/fria_form.html",
        done=_("Assessment started as a draft."),
    )


@login_required
def fria_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, fria = get_record(request, org_slug, pk, KIND)
    context = record_context(membership, fria, KIND)
    context["answers"] = [
        (documents.fria_label(name), getattr(fria, name)) for name in FundamentalRightsAssessment.TEXT_FIELDS
    ]
    return render(request, "regulatory/fria_detail.html", context)


@login_required
def fria_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return edit_draft(
        request,
        org_slug,
        pk,
        KIND,
        make_form=lambda membership, fria, data: FRIAForm(data, instance=fria),
        save=lambda fria, form: services.fria_update(
            actor=request.user, fria=fria, expected_version=form.cleaned_data["version"], data=form.record_data()
        ),
        template="regulatory/fria_form.html",
    )


@login_required
def fria_export(request: HttpRequest, org_slug: str, pk: int, fmt: str) -> HttpResponse:
    _membership, fria = get_record(request, org_slug, pk, KIND)
    if fmt not in ("pdf", "docx"):
        raise Http404("No such format")
    document = documents.fria_document(fria)
    data = render_pdf(document) if fmt == "pdf" else render_docx(document)
    return _download(data, fmt, f"fria-{fria.ai_system.name}-v{fria.record_version}")


# --- Statement of Applicability --------------------------------------------------------------------


def _high_risk_systems(org) -> list[AISystem]:
    """The organisation's active high-risk systems, each with its latest FRIA's status and version
    annotated (one query): the way into their EU AI Act documents."""
    latest = FundamentalRightsAssessment.objects.latest().filter(ai_system=OuterRef("pk")).order_by("-pk")
    systems = list(
        AISystem.objects.for_org(org)
        .active()
        .filter(eu_ai_act_tier=EUAIActTier.HIGH)
        .annotate(
            fria_status=Subquery(latest.values("status")[:1]),
            fria_version=Subquery(latest.values("record_version")[:1]),
        )
        .order_by("name")
    )
    for system in systems:
        system.fria_label = RecordStatus(system.fria_status).label if system.fria_status else ""
    return systems


@login_required
def soa_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's Regulatory area: its high-risk systems and the Statement of Applicability."""
    membership = get_membership(request, org_slug)
    org = membership.organisation
    can_decide = rules.can_decide_soa(membership)

    def body_context():
        statement = soa.statement(org, request.GET.get("framework"))
        return {
            "high_risk": _high_risk_systems(org),
            "statement": statement,
            "counts": statement.counts(),
            "frameworks": soa.FRAMEWORKS.values(),
            "can_decide": can_decide,
        }

    # The statement is the same for every reader but for the Decide buttons: kept whole under the
    # organisation's data version (SoA decisions, assignments and evidence are all audited).
    body = kept_template(request, org, "regulatory/_soa_body.html", body_context, vary=f"decide={can_decide}")
    return render(request, "regulatory/soa.html", {"body": body})


@login_required
def soa_decide(request: HttpRequest, org_slug: str, item_pk: int) -> HttpResponse:
    membership = get_membership(request, org_slug, min_role=Role.LEAD)
    org = membership.organisation
    slugs = {spec.key: spec.slug for spec in soa.FRAMEWORKS.values()}
    try:
        item = FrameworkItem.objects.select_related("framework").get(
            pk=item_pk, framework__organisation__isnull=True, framework__key__in=list(slugs)
        )
    except FrameworkItem.DoesNotExist:
        raise Http404("No such item") from None
    decision = SoADecision.objects.filter(organisation=org, item=item).select_related("decided_by").first()
    form = SoADecisionForm(request.POST or None, decision=decision)
    outcome = run_service(
        form,
        lambda: services.soa_decide(
            actor=request.user,
            organisation=org,
            item=item,
            applicability=form.cleaned_data["applicability"],
            justification=form.cleaned_data["justification"],
            expected_version=form.cleaned_data.get("version"),
        ),
        actor=request.user,
    )
    back = reverse("regulatory:soa", args=[org_slug]) + f"?framework={slugs[item.framework.key]}"
    if outcome.saved:
        messages.success(request, _("Decision on %(ref)s saved.") % {"ref": item.ref})
        return redirect(back)
    context = {"item": item, "decision": decision, "form": form, "conflict": outcome.conflict, "back": back}
    return render(request, "regulatory/soa_decide.html", context)


@login_required
def soa_export(request: HttpRequest, org_slug: str, fmt: str) -> HttpResponse:
    membership = get_membership(request, org_slug)
    if fmt not in ("pdf", "xlsx"):
        raise Http404("No such format")
    org = membership.organisation
    statement = soa.statement(org, request.GET.get("framework"))
    if statement.framework is None:
        raise Http404("The framework is not in the library")
    if fmt == "xlsx":
        data = render_xlsx([documents.soa_table(statement)])
    else:
        data = render_pdf(documents.soa_document(org, statement))
    return _download(data, fmt, f"statement-of-applicability-{statement.spec.slug}")
