"""IR plan pages: the organisation's list, the system's tab, create / edit with formsets, roles,
playbooks. Lifecycle, versions, History and follow-ups: records.views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_membership, get_object_for_user, team_ids
from accounts.models import Role
from audit.editing import Outcome, run_service
from audit.hidden_text import save_with_choices
from core.concurrency import EditConflict
from core.pages import paginate
from governance.models import AISystem
from governance.views.inventory import system_page_context
from records.models import RecordStatus
from records.rules import can_create_record, can_edit_record
from records.views import get_record, record_context

from . import services
from .coverage import coverage
from .forms import (
    NotificationFormSet,
    PlanForm,
    PlaybookForm,
    RoleFormSet,
    SeverityFormSet,
    TemplatesForm,
    table_formset_helper,
)
from .models import IncidentResponsePlan, PlanRoleKind, Playbook, TabletopExercise, minutes_label
from .templates import all_templates, fitting
from .workflow import PLAN_KIND as KIND
from .workflow import plan_children

DRAFTS_ONLY = _("Only drafts are edited, by leads and the covered systems' owner teams.")


def last_tabletop_on():
    """The date of the newest signed-off tabletop exercise of the plan's series (a subquery)."""
    return Subquery(
        TabletopExercise.objects.filter(plan__series=OuterRef("series"), status=RecordStatus.APPROVED)
        .order_by("-held_on")
        .values("held_on")[:1]
    )


@login_required
def plan_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The latest version of every plan, nearest review first."""
    membership = get_membership(request, org_slug)
    rows = (
        IncidentResponsePlan.objects.for_org(membership.organisation)
        .latest()
        .select_related("ai_system")
        .annotate(
            system_count=Count("systems", distinct=True),
            playbook_count=Count("playbooks", distinct=True),
            last_tabletop_on=last_tabletop_on(),
        )
        .order_by(F("next_review_due").asc(nulls_last=True), "title", "pk")
    )
    page, query = paginate(request, rows)
    context = {
        "page": page,
        "query": query,
        "can_create": membership.can_edit,
    }
    return render(request, "response/plan_list.html", context)


@login_required
def system_plans(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The system's IR plan tab: the plans that cover it, whether the readiness gate passes, and
    the last tabletop exercise."""
    membership, system = get_object_for_user(request, org_slug, AISystem.objects.select_related("owner_team"), pk)
    context = system_page_context(membership, system, KIND.tab)
    plans = list(
        IncidentResponsePlan.objects.filter(systems=system)
        .select_related("ai_system")
        .annotate(last_tabletop_on=last_tabletop_on())
        .order_by("-is_latest", "title", "-record_version", "pk")
    )
    context.update(
        {
            "records": plans,
            "coverage": coverage([system.pk])[system.pk],
            "can_create": can_create_record(membership, system),
        }
    )
    return render(request, "response/system_plans.html", context)


def _systems_for(membership):
    """Systems this member may start a plan for: all for leads, their teams' otherwise."""
    systems = AISystem.objects.for_org(membership.organisation).filter(retired_at=None)
    return systems if membership.is_lead else systems.filter(owner_team_id__in=team_ids(membership))


@login_required
def plan_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Start a plan; its playbooks come from the templates that fit the covered systems."""
    membership = get_membership(request, org_slug, min_role=Role.MEMBER)
    allowed = _systems_for(membership).order_by("name")
    ensure(membership.is_lead or allowed.exists(), _("Leads and the members of a system's owner team start IR plans."))
    initial: dict[str, object] = {"title": _("Incident-response plan")}
    if request.GET.get("system", "").isdigit():
        initial["ai_system"] = int(request.GET["system"])
    form = PlanForm(request.POST or None, org=membership.organisation, initial=initial)
    form.fields["ai_system"].queryset = allowed  # type: ignore[attr-defined]  # a ModelChoiceField

    def save():
        primary = form.cleaned_data["ai_system"]
        if not can_create_record(membership, primary):
            raise ValidationError({"ai_system": _("You start plans only for systems your teams own.")})
        return services.plan_create(
            actor=request.user, primary=primary, systems=form.cleaned_data["systems"], data=form.record_data()
        )

    outcome = run_service(form, save, actor=request.user)
    if outcome.saved and outcome.result is not None:
        count = outcome.result.playbooks.count()
        messages.success(
            request,
            _("Plan started as a draft with %(n)s playbooks from the templates that fit its systems.") % {"n": count},
        )
        return redirect("response:plan_detail", org_slug, outcome.result.pk)
    context = {"form": form, "templates": all_templates()}
    return render(request, "response/plan_create.html", context)


@login_required
def plan_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, plan = get_record(request, org_slug, pk, KIND)
    context = record_context(membership, plan, KIND)
    children = plan_children(plan)
    used = {p.template_key for p in children["playbooks"]}
    tabletops = list(
        TabletopExercise.objects.filter(plan__series=plan.series)
        .select_related("playbook", "plan")
        .order_by("-held_on", "-pk")
    )
    roles = {r.role: r for r in children["roles"]}
    context.update(
        {
            **children,
            "role_rows": [(label, roles.get(value)) for value, label in PlanRoleKind.choices],
            "severity_levels": [
                {
                    **level,
                    "respond": minutes_label(level.get("respond_within_minutes")),
                    "update": minutes_label(level.get("update_every_minutes")),
                }
                for level in plan.severity_levels
            ],
            "notifications": _notification_rows(plan.notifications),
            "systems": plan.covered_systems,
            "missing_templates": [t for t in fitting(plan.covered_systems) if t.key not in used],
            "tabletops": tabletops,
        }
    )
    return render(request, "response/plan_detail.html", context)


def _notification_rows(items: list[dict]) -> list[dict]:
    from .models import NotificationKind

    kinds, roles = dict(NotificationKind.choices), dict(PlanRoleKind.choices)
    return [
        {
            **item,
            "kind_label": kinds.get(str(item.get("kind")), item.get("kind")),
            "owner": roles.get(str(item.get("owner_role")), ""),
        }
        for item in items
    ]


@login_required
def plan_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The plan's fields with its severity levels and external notifications as formsets, saved
    together at the plan's version."""
    membership, plan = get_record(request, org_slug, pk, KIND, min_role=Role.MEMBER)
    ensure(can_edit_record(membership, plan), DRAFTS_ONLY)
    data = request.POST or None
    form = PlanForm(
        data, instance=plan, org=membership.organisation, initial={"systems": [s.pk for s in plan.covered_systems]}
    )
    severity = SeverityFormSet(data, initial=plan.severity_levels, prefix="severity")
    notifications = NotificationFormSet(data, initial=plan.notifications, prefix="notification")
    outcome: Outcome = Outcome()
    if form.is_bound and severity.is_valid() & notifications.is_valid():
        if form.is_valid():  # the formsets' hidden-text choices are audited with the form's
            form.hidden_text_decisions += severity.hidden_text_decisions() + notifications.hidden_text_decisions()
        outcome = run_service(
            form,
            lambda: services.plan_update(
                actor=request.user,
                plan=plan,
                expected_version=form.cleaned_data["version"],
                data={
                    **form.record_data(),
                    "severity_levels": severity.rows(),
                    "notifications": notifications.rows(),
                },
                systems=form.cleaned_data["systems"],
            ),
            actor=request.user,
            about=plan,
        )
    elif form.is_bound:
        form.is_valid()
    if outcome.saved:
        messages.success(request, _("Changes saved."))
        return redirect("response:plan_detail", org_slug, pk)
    context = record_context(membership, plan, KIND, "edit")
    context.update(
        {
            "form": form,
            "severity": severity,
            "notifications": notifications,
            "formset_helper": table_formset_helper(),
            "conflict": outcome.conflict,
        }
    )
    return render(request, "response/plan_form.html", context)


@login_required
def plan_roles(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The five roles and their contacts, one form per role."""
    membership, plan = get_record(request, org_slug, pk, KIND, min_role=Role.MEMBER)
    ensure(can_edit_record(membership, plan), DRAFTS_ONLY)
    current = {r.role: r for r in plan_children(plan)["roles"]}
    initial = []
    for value, _label in PlanRoleKind.choices:
        row = current.get(value)
        initial.append(
            {"role": value}
            if row is None
            else {
                "role": value,
                "version": row.version,
                "member": row.member_id,
                "name": row.name,
                "email": row.email,
                "phone": row.phone,
                "notes": row.notes,
            }
        )
    formset = RoleFormSet(request.POST or None, initial=initial, org=membership.organisation, prefix="role")
    conflict = None
    if formset.is_bound and formset.is_valid():
        holder = _Decisions(formset.hidden_text_decisions())
        try:
            save_with_choices(
                holder,
                lambda: services.plan_roles_save(actor=request.user, plan=plan, rows=[f.row() for f in formset.forms]),
                actor=request.user,
                obj=plan,
            )
        except EditConflict:
            conflict = True
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Contacts saved."))
            return redirect("response:plan_detail", org_slug, pk)
    context = record_context(membership, plan, KIND, "roles")
    context.update({"formset": formset, "role_conflict": conflict})
    return render(request, "response/plan_roles.html", context)


class _Decisions:
    """Hidden-text choices of a whole formset, in the shape save_with_choices reads from a form."""

    def __init__(self, decisions: list[dict]):
        self.hidden_text_decisions = decisions


@login_required
def playbook_add(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Write a playbook, or add more from the templates (those that fit the covered systems are
    ticked)."""
    membership, plan = get_record(request, org_slug, pk, KIND, min_role=Role.MEMBER)
    ensure(can_edit_record(membership, plan), DRAFTS_ONLY)
    fits = {t.key for t in fitting(plan.covered_systems)}
    used = set(Playbook.objects.filter(plan=plan).values_list("template_key", flat=True))
    choices = [
        (t.key, f"{t.title}" + ("" if t.key in fits else f" ({_('not suggested by the profiles')})"))
        for t in all_templates()
        if t.key not in used
    ]
    is_templates = request.method == "POST" and "add_templates" in request.POST
    form = PlaybookForm(None if is_templates else (request.POST or None))
    templates_form = TemplatesForm(
        request.POST if is_templates else None,
        choices=choices,
        initial={"templates": [k for k, _l in choices if k in fits]},
    )
    if is_templates and templates_form.is_valid():
        added = run_service(
            templates_form,
            lambda: services.playbook_add_templates(
                actor=request.user, plan=plan, keys=templates_form.cleaned_data["templates"]
            ),
        )
        if added.saved and added.result is not None:
            messages.success(request, _("%(n)s playbooks added from templates.") % {"n": len(added.result)})
            return redirect("response:plan_detail", org_slug, pk)
    outcome = run_service(
        form,
        lambda: services.playbook_add(actor=request.user, plan=plan, data=form.playbook_data()),
        actor=request.user,
        about=plan,
    )
    if outcome.saved:
        messages.success(request, _("Playbook added."))
        return redirect("response:plan_detail", org_slug, pk)
    context = record_context(membership, plan, KIND, "playbook")
    context.update({"form": form, "templates_form": templates_form, "has_templates": bool(choices)})
    return render(request, "response/playbook_form.html", context)


def _playbook(request, org_slug, pk):
    membership, playbook = get_object_for_user(
        request,
        org_slug,
        Playbook.objects.select_related("plan__ai_system__owner_team", "plan__organisation"),
        pk,
        min_role=Role.MEMBER,
    )
    ensure(can_edit_record(membership, playbook.plan), DRAFTS_ONLY)
    return membership, playbook


@login_required
def playbook_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, playbook = _playbook(request, org_slug, pk)
    plan = KIND.queryset().get(pk=playbook.plan_id)
    form = PlaybookForm(request.POST or None, instance=playbook)
    outcome = run_service(
        form,
        lambda: services.playbook_update(
            actor=request.user,
            playbook=playbook,
            expected_version=form.cleaned_data["version"],
            data=form.playbook_data(),
        ),
        actor=request.user,
        about=playbook,
    )
    if outcome.saved:
        messages.success(request, _("Playbook updated."))
        return redirect("response:plan_detail", org_slug, plan.pk)
    context = record_context(membership, plan, KIND, "playbook")
    context.update({"form": form, "playbook": playbook, "conflict": outcome.conflict})
    return render(request, "response/playbook_form.html", context)


@login_required
@require_POST
def playbook_remove(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _membership, playbook = _playbook(request, org_slug, pk)
    try:
        services.playbook_remove(actor=request.user, playbook=playbook)
        messages.success(request, _("Playbook removed from the draft."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("response:plan_detail", org_slug, playbook.plan_id)
