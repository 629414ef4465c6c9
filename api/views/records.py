"""Governed records through the API: risk scenarios, threat models and red-team exercises (read,
create on a system, change a draft with `version`, take a lifecycle step), and red-team findings (read, add, change,
import a scanner's result file).

One `Resource` per record type names the page's own pieces — its form, its services, its record
kind — and the views below are built from it, so each endpoint asks the rule the page asks
(`records.rules`) through `accounts.access`, validates with the page's form and saves with the
page's service. Nothing here decides a permission on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Prefetch
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.access import ensure, get_object_for_user
from accounts.models import Role
from audit.hidden_text import save_with_choices
from governance.models import AISystem, FrameworkItem
from records.forms import RecordActionForm
from records.kinds import RecordKind
from records.models import RecordStatus
from records.rules import EDIT_REFUSAL, can_create_record, can_edit_record, can_work_on_record
from records.services import record_act
from risks import services as risk_services
from risks.forms import RiskForm
from risks.workflow import KIND as RISK_KIND
from threats import services as threat_services
from threats.forms import ExerciseForm, FindingForm, ThreatModelForm
from threats.models import RedTeamExercise, RedTeamFinding, ThreatEntry, surfaces_from_profile
from threats.scanners import MAX_BYTES
from threats.workflow import EXERCISE_KIND
from threats.workflow import KIND as THREAT_MODEL_KIND

from .. import record_serializers as rs
from ..errors import body
from ..serializers import step_serializer
from .base import OrgAPIView, bound_form, checked, problems_under, take_step
from .resources import CONFLICT, ERRORS, LIST_ERRORS, READ_ERRORS, OrgListView

FRAMEWORK_ITEMS = FrameworkItem.objects.select_related("framework")


@dataclass(frozen=True)
class Resource:
    """What the API needs to know about one record type; each piece is the page's own."""

    kind: RecordKind
    label: str  # "risk scenario", for the schema's summaries
    serializer: type
    write_serializer: type
    form_class: type
    form_kwargs: Callable[[Any, Any], dict]  # (membership, system) -> the page form's arguments
    create: Callable[[Any, Any, Any], Any]  # (actor, system, form) -> the new record
    update: Callable[[Any, Any, Any], Any]  # (actor, record, form) -> the changed record
    rows: Callable[[], Any]  # the records with what the serializer reads, fetched up front
    defaults: Callable[[Any], dict] = field(default=lambda system: {})  # what the page's form starts from


def current_values(form_class, instance) -> dict[str, Any]:
    """The record as its page's form would show it: ids for links, so a PATCH that sends one field
    is validated with all the others unchanged."""
    values = model_to_dict(instance, fields=form_class._meta.fields)
    return {
        name: [getattr(v, "pk", v) for v in value] if isinstance(value, list) else value
        for name, value in values.items()
    }


def model_defaults(form_class) -> dict[str, Any]:
    """What the page's form starts from on a new record: the model fields' defaults (none for a
    plain form)."""
    if not hasattr(form_class, "_meta"):
        return {}
    model = form_class._meta.model
    fields = (model._meta.get_field(name) for name in form_class._meta.fields)
    return {f.name: f.get_default() for f in fields if f.has_default() and not f.many_to_many}


def _needs_version(data: dict) -> Response | None:
    if "version" in data:
        return None
    message = _("Send `version`, the version you read.")
    return Response(body("invalid", message, {"version": [_("This field is required.")]}), status=400)


def create_with_form(request, write_serializer, form_class, save, *, defaults=None, **form_kwargs):
    """A new row from the body: type-checked, validated by the page's form from the defaults the
    page starts with, saved by `save(form)` with the form's hidden-text choices (one transaction)."""
    data = checked(write_serializer, request)
    data.pop("version", None)
    start = {**model_defaults(form_class), **(defaults or {}), **data}
    form = bound_form(form_class, start, hidden=data.get("hidden_characters"), **form_kwargs)
    return save_with_choices(form, lambda: save(form), actor=request.user)


def change_with_form(request, write_serializer, form_class, instance, save, **form_kwargs) -> Response | None:
    """A PATCH: the fields sent over the row's current values, validated by the page's form and
    saved by `save(form)` (which checks `version`: a stale one raises EditConflict → 409)."""
    data = checked(write_serializer, request, partial=True)
    if refusal := _needs_version(data):
        return refusal
    form = bound_form(
        form_class,
        {**current_values(form_class, instance), **data},
        hidden=data.get("hidden_characters"),
        instance=instance,
        **form_kwargs,
    )
    save_with_choices(form, lambda: save(form), actor=request.user)
    return None


class RecordFilter(django_filters.FilterSet):
    system = django_filters.ModelChoiceFilter(
        label=gettext_lazy("AI system"), field_name="ai_system", queryset=AISystem.objects.none()
    )
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=RecordStatus.choices)
    latest = django_filters.BooleanFilter(
        label=gettext_lazy("Only the newest version of each record"), field_name="is_latest"
    )

    def __init__(self, data=None, *args, org, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["system"].queryset = AISystem.objects.for_org(org)


def read_views(model, label: str, serializer, rows):
    """The list (filtered by system, status, latest; cursor-paginated) and the read of one record
    type: every role of the organisation reads."""

    @extend_schema_view(
        get=extend_schema(
            summary=f"List {label}s",
            description="Every version, oldest first; `latest=true` for the newest version of each.",
            responses={200: serializer, **LIST_ERRORS},
        )
    )
    class RecordList(OrgListView):
        serializer_class = serializer
        filterset_class = type(f"{model.__name__}Filter", (RecordFilter,), {})
        queryset = model.objects.none()

        def get_queryset(self):
            return rows().filter(organisation=self.org)

        def get(self, request, org_slug):
            self.membership()
            return self.list(request)

    @extend_schema_view(get=extend_schema(summary=f"Read a {label}", responses={200: serializer, **READ_ERRORS}))
    class RecordDetail(OrgAPIView):
        serializer_class = serializer
        queryset = model.objects.none()

        def get(self, request, org_slug, pk):
            _membership, record = get_object_for_user(request, org_slug, rows(), pk)
            return Response(serializer(record).data)

    for view in (RecordList, RecordDetail):
        view.__name__ = view.__qualname__ = view.__name__.replace("Record", model.__name__)
    return RecordList, RecordDetail


def record_views(resource: Resource):
    """The list, create-on-a-system and detail (read, change) endpoints of one record type."""
    label = resource.label
    RecordList, RecordRead = read_views(resource.kind.model, label, resource.serializer, resource.rows)

    class RecordCreate(OrgAPIView):
        serializer_class = resource.serializer
        queryset = AISystem.objects.none()

        @extend_schema(
            summary=f"Start a {label} on an AI system",
            description="Leads and members of the system's owner team; it starts as a draft.",
            request=resource.write_serializer,
            responses={201: resource.serializer, **ERRORS},
        )
        def post(self, request, org_slug, pk):
            membership, system = get_object_for_user(
                request, org_slug, AISystem.objects.select_related("owner_team"), pk, min_role=Role.MEMBER
            )
            ensure(can_create_record(membership, system), _("Leads and the system's owner team add records to it."))
            record = create_with_form(
                request,
                resource.write_serializer,
                resource.form_class,
                lambda form: resource.create(request.user, system, form),
                defaults=resource.defaults(system),
                **resource.form_kwargs(membership, system),
            )
            return Response(resource.serializer(resource.rows().get(pk=record.pk)).data, status=201)

    @extend_schema_view(
        patch=extend_schema(
            summary=f"Change a draft {label}",
            description="Only drafts (and versions sent back) change, by leads and the record's teams. Send the "
            "fields that change and `version`; a stale version changes nothing and answers 409.",
            request=resource.write_serializer,
            responses={200: resource.serializer, **ERRORS, **CONFLICT},
        ),
    )
    class RecordDetail(RecordRead):  # type: ignore[valid-type, misc]  # a class made by read_views
        def patch(self, request, org_slug, pk):
            membership, record = get_object_for_user(
                request, org_slug, resource.kind.queryset(), pk, min_role=Role.MEMBER
            )
            ensure(can_edit_record(membership, record), EDIT_REFUSAL)
            refusal = change_with_form(
                request,
                resource.write_serializer,
                resource.form_class,
                record,
                lambda form: resource.update(request.user, record, form),
                **resource.form_kwargs(membership, record.ai_system),
            )
            return refusal or Response(resource.serializer(resource.rows().get(pk=record.pk)).data)

    RecordCreate.__name__ = RecordCreate.__qualname__ = f"{resource.kind.model.__name__}Create"
    RecordDetail.__name__ = RecordDetail.__qualname__ = f"{resource.kind.model.__name__}Change"
    return RecordList, RecordCreate, RecordDetail, step_view(resource.kind, label, resource.serializer, resource.rows)


def step_view(kind: RecordKind, label: str, serializer, rows):
    """`POST …/<id>/actions/`: submit, approve, request changes… as on the record's page, through
    the record type's own table of transitions (`kind.workflow`)."""
    step_body = step_serializer(kind.workflow, f"{kind.model.__name__}StepSerializer", _step_help(kind))

    class RecordStep(OrgAPIView):
        serializer_class = serializer
        queryset = kind.model.objects.none()

        @extend_schema(
            summary=f"Take a lifecycle step on a {label}",
            description="The steps and who may take them are the record page's: a draft is submitted by leads and "
            "the record's teams and approved, or sent back with `request_changes`, by a reviewer who is not its "
            "author. Send the `version` you read; a stale one changes nothing and answers 409.",
            request=step_body,
            responses={200: serializer, **ERRORS, **CONFLICT},
        )
        def post(self, request, org_slug, pk):
            membership, record = get_object_for_user(request, org_slug, kind.queryset(), pk, min_role=Role.MEMBER)
            take_step(
                request,
                membership,
                record,
                kind.workflow,
                step_body,
                RecordActionForm,
                lambda name, data: record_act(
                    kind.workflow,
                    actor=request.user,
                    record=record,
                    name=name,
                    expected_version=data["version"],
                    text=data["text"],
                ),
            )
            return Response(serializer(rows().get(pk=record.pk)).data)

    RecordStep.__name__ = RecordStep.__qualname__ = f"{kind.model.__name__}Step"
    return RecordStep


def _step_help(kind: RecordKind) -> str:
    steps = ", ".join(f"`{t.name}`" for t in kind.workflow.transitions)
    return f"The lifecycle step: {steps}."


def record_rows(model, *prefetch):
    return model.objects.select_related("author", "submitted_by", "approved_by").prefetch_related(*prefetch)


RISKS = Resource(
    kind=RISK_KIND,
    label="risk scenario",
    serializer=rs.RiskSerializer,
    write_serializer=rs.RiskWriteSerializer,
    form_class=RiskForm,
    form_kwargs=lambda membership, system: {"org": membership.organisation},
    create=lambda actor, system, form: risk_services.risk_create(
        actor=actor, system=system, data=form.record_data(), controls=form.cleaned_data["controls"]
    ),
    update=lambda actor, risk, form: risk_services.risk_update(
        actor=actor,
        risk=risk,
        expected_version=form.cleaned_data["version"],
        data=form.record_data(),
        controls=form.cleaned_data["controls"],
    ),
    rows=lambda: record_rows(RISK_KIND.model, "controls").select_related("accepted_by", "acceptance_cosigned_by"),
)

THREAT_MODELS = Resource(
    kind=THREAT_MODEL_KIND,
    label="threat model",
    serializer=rs.ThreatModelSerializer,
    write_serializer=rs.ThreatModelWriteSerializer,
    form_class=ThreatModelForm,
    form_kwargs=lambda membership, system: {},
    create=lambda actor, system, form: threat_services.threat_model_create(
        actor=actor, system=system, data=form.record_data()
    ),
    update=lambda actor, tm, form: threat_services.threat_model_update(
        actor=actor, threat_model=tm, expected_version=form.cleaned_data["version"], data=form.record_data()
    ),
    rows=lambda: record_rows(
        THREAT_MODEL_KIND.model,
        Prefetch("entries", queryset=ThreatEntry.objects.select_related("threat").prefetch_related("mitigations")),
    ),
    defaults=lambda system: {"surfaces": surfaces_from_profile(system)},
)

EXERCISES = Resource(
    kind=EXERCISE_KIND,
    label="red-team exercise",
    serializer=rs.ExerciseSerializer,
    write_serializer=rs.ExerciseWriteSerializer,
    form_class=ExerciseForm,
    form_kwargs=lambda membership, system: {"org": membership.organisation, "system": system},
    create=lambda actor, system, form: threat_services.exercise_create(
        actor=actor, system=system, data=form.record_data(), m2m=form.record_m2m()
    ),
    update=lambda actor, x, form: threat_services.exercise_update(
        actor=actor,
        exercise=x,
        expected_version=form.cleaned_data["version"],
        data=form.record_data(),
        m2m=form.record_m2m(),
    ),
    rows=lambda: record_rows(
        RedTeamExercise,
        "also_in_scope",
        "participants",
        "threats_tried",
        Prefetch("techniques", queryset=FRAMEWORK_ITEMS),
    ),
)

RiskList, RiskCreate, RiskDetail, RiskStep = record_views(RISKS)
ThreatModelList, ThreatModelCreate, ThreatModelDetail, ThreatModelStep = record_views(THREAT_MODELS)
ExerciseList, ExerciseCreate, ExerciseDetail, ExerciseStep = record_views(EXERCISES)


# --- Red-team findings ------------------------------------------------------------------------


def _finding_rows():
    return RedTeamFinding.objects.select_related("threat", "control").prefetch_related(
        Prefetch("framework_items", queryset=FRAMEWORK_ITEMS)
    )


@extend_schema_view(
    get=extend_schema(summary="List an exercise's findings", responses={200: rs.FindingSerializer, **LIST_ERRORS}),
    post=extend_schema(
        summary="Add a finding to a red-team exercise",
        description="Leads and the record's teams (the system's owner team, the red team), at any time.",
        request=rs.FindingWriteSerializer,
        responses={201: rs.FindingSerializer, **ERRORS},
    ),
)
class FindingList(OrgListView):
    serializer_class = rs.FindingSerializer
    queryset = RedTeamFinding.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return _finding_rows().filter(exercise=self.exercise)

    def get(self, request, org_slug, pk):
        _membership, self.exercise = get_object_for_user(request, org_slug, RedTeamExercise, pk)
        return self.list(request)

    def post(self, request, org_slug, pk):
        membership, exercise = get_object_for_user(
            request, org_slug, EXERCISE_KIND.queryset(), pk, min_role=Role.MEMBER
        )
        ensure(can_work_on_record(membership, exercise), _("Leads and the system's owner team record findings."))
        finding = create_with_form(
            request,
            rs.FindingWriteSerializer,
            FindingForm,
            lambda form: threat_services.finding_add(actor=request.user, exercise=exercise, data=form.finding_data()),
            org=membership.organisation,
        )
        return Response(rs.FindingSerializer(_finding_rows().get(pk=finding.pk)).data, status=201)


@extend_schema_view(
    get=extend_schema(summary="Read a red-team finding", responses={200: rs.FindingSerializer, **READ_ERRORS}),
    patch=extend_schema(
        summary="Change a red-team finding",
        description="Leads and the record's teams, at any time (findings are mitigated and retested after the "
        "report's approval). Send `version`; a stale one answers 409.",
        request=rs.FindingWriteSerializer,
        responses={200: rs.FindingSerializer, **ERRORS, **CONFLICT},
    ),
)
class FindingDetail(OrgAPIView):
    serializer_class = rs.FindingSerializer
    queryset = RedTeamFinding.objects.none()

    def get(self, request, org_slug, pk):
        _membership, finding = get_object_for_user(request, org_slug, _finding_rows(), pk)
        return Response(rs.FindingSerializer(finding).data)

    def patch(self, request, org_slug, pk):
        membership, finding = get_object_for_user(
            request,
            org_slug,
            RedTeamFinding.objects.select_related("exercise__ai_system__owner_team"),
            pk,
            min_role=Role.MEMBER,
        )
        ensure(
            can_work_on_record(membership, finding.exercise), _("Leads and the system's owner team change findings.")
        )
        refusal = change_with_form(
            request,
            rs.FindingWriteSerializer,
            FindingForm,
            finding,
            lambda form: threat_services.finding_update(
                actor=request.user,
                finding=finding,
                expected_version=form.cleaned_data["version"],
                data=form.finding_data(),
            ),
            org=membership.organisation,
        )
        return refusal or Response(rs.FindingSerializer(_finding_rows().get(pk=finding.pk)).data)


class FindingImport(OrgAPIView):
    serializer_class = rs.FindingImportResultSerializer
    queryset = RedTeamFinding.objects.none()

    @extend_schema(
        summary="Import findings from a scanner's result file (garak, promptfoo) or a CSV",
        description="The page's import: the whole file is checked first and every problem is listed in "
        "`error.fields.file` (nothing is written then); each failing garak probe or promptfoo test case becomes "
        "a finding mapped through threats/scanner_map.yaml; results already imported into the exercise are not "
        "added again (`already_imported`).",
        request={"multipart/form-data": rs.FindingImportSerializer},
        responses={201: rs.FindingImportResultSerializer, **ERRORS},
    )
    def post(self, request, org_slug, pk):
        membership, exercise = get_object_for_user(
            request, org_slug, EXERCISE_KIND.queryset(), pk, min_role=Role.MEMBER
        )
        ensure(can_work_on_record(membership, exercise), _("Leads and the system's owner team record findings."))
        data = checked(rs.FindingImportSerializer, request)
        outcome = import_file(request.user, exercise, data["file"], data["format"])
        added = _finding_rows().filter(pk__in=[f.pk for f in outcome.added]).order_by("pk")
        result = {"added": rs.FindingSerializer(added, many=True).data, "already_imported": outcome.already}
        return Response(result, status=status.HTTP_201_CREATED)


def import_file(actor, exercise, upload, file_format: str):
    """The service lists every problem of the file; they are answered under `file`."""
    with problems_under("file"):
        return threat_services.findings_import(
            actor=actor, exercise=exercise, data=upload.read(MAX_BYTES + 1), file_format=file_format
        )
