"""The views every record type shares: lifecycle actions, new version, comparison, history and
follow-ups. Each record app mounts them with its `RecordKind` (see `record_urls`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ensure, get_object_for_user
from accounts.models import Role
from audit.editing import run_service
from audit.hidden_text import save_with_choices
from audit.services import history_for
from core.concurrency import EditConflict
from governance.views.inventory import system_page_context

from . import rules
from .compare import compare
from .forms import FollowUpForm, RecordActionForm, VersionOnlyForm
from .kinds import RecordKind
from .models import FollowUp
from .services import follow_up_raise, follow_ups_of, record_act, record_new_version
from .workflow import FOLLOW_UP


def record_context(membership, record, kind: RecordKind, tab: str = "") -> dict:
    """What every page of a record shows: the system header, the record's state, the actions
    this member may take now, and its follow-ups."""
    context = system_page_context(membership, record.ai_system, kind.tab)
    context.update(
        {
            "record": record,
            "kind": kind,
            "record_tab": tab,
            "actions": kind.workflow.available(membership, record),
            "can_edit": rules.can_edit_record(membership, record),
            "can_work": rules.can_work_on_record(membership, record),
            "can_new_version": record.is_final and record.is_latest and rules.can_work_on_record(membership, record),
            "follow_ups": follow_ups_of(record),
            "urls": {
                name: kind.url(name, membership.organisation.slug, record.pk)
                for name in ("detail", "act", "new_version", "compare", "history", "follow_up")
            },
        }
    )
    return context


def system_tab(request, org_slug: str, pk: int, kind: RecordKind, *, rows, template: str) -> HttpResponse:
    """A record type's tab on the AI-system page: `rows(system)` lists its records there."""
    from governance.models import AISystem

    membership, system = get_object_for_user(request, org_slug, AISystem.objects.select_related("owner_team"), pk)
    context = system_page_context(membership, system, kind.tab)
    context.update({"records": list(rows(system)), "can_create": rules.can_create_record(membership, system)})
    return render(request, template, context)


def create_for_system(
    request, org_slug: str, pk: int, kind: RecordKind, *, make_form, save, template: str, done: str
) -> HttpResponse:
    """Start a record of any type on a system: `make_form(membership, system, data)` builds the
    form, `save(system, form)` calls the type's service; then the new record's page."""
    from governance.models import AISystem

    membership, system = get_object_for_user(
        request, org_slug, AISystem.objects.select_related("owner_team"), pk, min_role=Role.MEMBER
    )
    ensure(rules.can_create_record(membership, system), _("Leads and the system's owner team add records to it."))
    form = make_form(membership, system, request.POST or None)
    outcome = run_service(form, lambda: save(system, form), actor=request.user)
    if outcome.saved and outcome.result is not None:
        messages.success(request, done)
        return redirect(kind.url("detail", org_slug, outcome.result.pk))
    context = system_page_context(membership, system, kind.tab)
    context["form"] = form
    return render(request, template, context)


def edit_draft(request, org_slug: str, pk: int, kind: RecordKind, *, make_form, save, template: str) -> HttpResponse:
    """Edit a draft (or sent-back) version of any record type: `make_form(membership, record,
    data)` builds the form, `save(record, form)` calls the type's service."""
    membership, record = get_record(request, org_slug, pk, kind, min_role=Role.MEMBER)
    ensure(rules.can_edit_record(membership, record), rules.EDIT_REFUSAL)
    form = make_form(membership, record, request.POST or None)
    outcome = run_service(form, lambda: save(record, form), actor=request.user, about=record)
    if outcome.saved:
        messages.success(request, _("Changes saved."))
        return redirect(kind.url("detail", org_slug, pk))
    context = record_context(membership, record, kind, "edit")
    context.update({"form": form, "conflict": outcome.conflict})
    return render(request, template, context)


def add_to_record(
    request, org_slug: str, pk: int, kind: RecordKind, *, may, refusal, make_form, save, done, template: str, tab: str
) -> HttpResponse:
    """Add a part to a record of any type (a threat to a threat model, a finding to an exercise,
    evidence to a review): `may(membership, record)` says who may (`refusal` otherwise),
    `make_form(membership, record, data)` builds the form, `save(record, form)` calls the type's
    service; then the record's page, or the form again under the record's `tab`."""
    membership, record = get_record(request, org_slug, pk, kind, min_role=Role.MEMBER)
    ensure(may(membership, record), refusal)
    form = make_form(membership, record, request.POST or None)
    outcome = run_service(form, lambda: save(record, form), actor=request.user, about=record)
    if outcome.saved:
        messages.success(request, done)
        return redirect(kind.url("detail", org_slug, pk))
    context = record_context(membership, record, kind, tab)
    context["form"] = form
    return render(request, template, context)


def get_record(request, org_slug, pk, kind: RecordKind, **kwargs):
    """The membership and the record of that kind, fetched through the organisation (outsider 404,
    low role 403): the first line of every record page, shared and type-specific."""
    return get_object_for_user(request, org_slug, kind.queryset(), pk, **kwargs)


@login_required
@require_POST
def act(request: HttpRequest, org_slug: str, pk: int, kind: RecordKind) -> HttpResponse:
    membership, record = get_record(request, org_slug, pk, kind, min_role=Role.MEMBER)
    form = RecordActionForm(request.POST)
    name = request.POST.get("action", "")
    if name not in kind.workflow:
        messages.error(request, _("Choose an action."))
        return redirect(kind.url("detail", org_slug, pk))
    transition = kind.workflow[name]
    ensure(kind.workflow.allows(membership, record, name), str(transition.refusal))
    if not form.is_valid():
        messages.error(
            request, _("Check the comment: %(errors)s") % {"errors": " ".join(map(str, form.errors.get("text", [])))}
        )
        return redirect(kind.url("detail", org_slug, pk))
    try:
        save_with_choices(
            form,
            lambda: record_act(
                kind.workflow,
                actor=request.user,
                record=record,
                name=name,
                expected_version=form.cleaned_data["version"],
                text=form.cleaned_data["text"],
            ),
            actor=request.user,
            obj=record,
        )
    except EditConflict:
        messages.error(request, _("Someone changed this record meanwhile; here it is as it is now."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, str(transition.done))
    return redirect(kind.url("detail", org_slug, pk))


@login_required
@require_POST
def new_version(request: HttpRequest, org_slug: str, pk: int, kind: RecordKind) -> HttpResponse:
    membership, record = get_record(request, org_slug, pk, kind, min_role=Role.MEMBER)
    ensure(rules.can_work_on_record(membership, record), _("Leads and the members of the record's teams do this."))
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect(kind.url("detail", org_slug, pk))
    try:
        new = record_new_version(record, actor=request.user, expected_version=form.cleaned_data["version"])
    except EditConflict:
        messages.error(request, _("Someone changed this record meanwhile; here it is as it is now."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(n)s started as a draft copy.") % {"n": new.record_version})
        return redirect(kind.url("detail", org_slug, new.pk))
    return redirect(kind.url("detail", org_slug, pk))


@login_required
def history(request: HttpRequest, org_slug: str, pk: int, kind: RecordKind) -> HttpResponse:
    membership, record = get_record(request, org_slug, pk, kind)
    context = record_context(membership, record, kind, "history")
    context["events"] = history_for(record)
    return render(request, "records/history.html", context)


@login_required
def compare_view(request: HttpRequest, org_slug: str, pk: int, kind: RecordKind) -> HttpResponse:
    """This version beside another of the same record (by default the one it was copied from)."""
    membership, record = get_record(request, org_slug, pk, kind)
    versions = list(
        kind.model.objects.filter(organisation=membership.organisation, series=record.series)
        .only("pk", "record_version", "status", "title", "organisation_id", "ai_system_id", "series")
        .order_by("record_version")
    )
    other_pk = request.GET.get("with") or record.previous_id
    other = None
    if other_pk:
        try:
            other = kind.queryset().get(organisation=membership.organisation, series=record.series, pk=int(other_pk))
        except (kind.model.DoesNotExist, ValueError, TypeError):
            raise Http404("No such version") from None
    old, new = (other, record) if other and other.record_version < record.record_version else (record, other)
    context = record_context(membership, record, kind, "compare")
    context.update({"versions": versions, "old": old, "new": new, "rows": compare(old, new) if other else []})
    return render(request, "records/compare.html", context)


@login_required
def follow_up_create(request: HttpRequest, org_slug: str, pk: int, kind: RecordKind) -> HttpResponse:
    membership, record = get_record(request, org_slug, pk, kind, min_role=Role.MEMBER)
    ensure(rules.can_work_on_record(membership, record), _("Leads and the members of the record's teams do this."))
    form = FollowUpForm(request.POST or None, org=membership.organisation)
    saved = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            save_with_choices(
                form,
                lambda: follow_up_raise(
                    record,
                    actor=request.user,
                    domain=kind.domain_of(record),
                    practice=kind.practice,
                    control=data["control"],
                    title=data["title"],
                    owner_team=data["owner_team"],
                    assignee=data["assignee"],
                    due_date=data["due_date"],
                ),
                actor=request.user,
                obj=record,
            )
            saved = True
        except ValidationError as exc:
            from audit.editing import add_service_error

            add_service_error(form, exc)
    if saved:
        messages.success(request, _("Follow-up raised; it is in the owner team's work."))
        return redirect(kind.url("detail", org_slug, pk))
    context = record_context(membership, record, kind, "follow_up")
    context["form"] = form
    return render(request, "records/follow_up_form.html", context)


@login_required
@require_POST
def follow_up_act(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership, follow_up = get_object_for_user(request, org_slug, FollowUp, pk, min_role=Role.MEMBER)
    name = request.POST.get("action", "")
    if name not in FOLLOW_UP:
        raise Http404("No such action")
    ensure(FOLLOW_UP.allows(membership, follow_up, name), str(FOLLOW_UP[name].refusal))
    form = RecordActionForm(request.POST)
    back = request.POST.get("next", "")
    if form.is_valid():
        try:
            FOLLOW_UP.take(
                actor=request.user,
                record=follow_up,
                name=name,
                expected_version=form.cleaned_data["version"],
                text=form.cleaned_data["text"],
            )
            messages.success(request, str(FOLLOW_UP[name].done))
        except EditConflict:
            messages.error(request, _("Someone changed this action meanwhile."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("Reload the page and try again."))
    from django.utils.http import url_has_allowed_host_and_scheme

    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("assessments:work_list", org_slug)


def record_urls(kind: RecordKind, prefix: str) -> list:
    """The shared pages of one record type, under `<prefix><pk>/…`."""
    k = {"kind": kind}
    return [
        path(f"{prefix}<int:pk>/act/", act, k, name=f"{kind.key}_act"),
        path(f"{prefix}<int:pk>/new-version/", new_version, k, name=f"{kind.key}_new_version"),
        path(f"{prefix}<int:pk>/history/", history, k, name=f"{kind.key}_history"),
        path(f"{prefix}<int:pk>/compare/", compare_view, k, name=f"{kind.key}_compare"),
        path(f"{prefix}<int:pk>/follow-ups/new/", follow_up_create, k, name=f"{kind.key}_follow_up"),
    ]
