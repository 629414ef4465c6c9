"""The `/api/v1/o/<org_slug>/…` endpoints.

Each handler's first line resolves the membership through `accounts.access` (via
`OrgAPIView.membership` or `get_object_for_user`), then asks the same rule the page asks
(`governance.rules`, `assessments.rules`, `assessments.workflow`), validates with the page's form
and saves through the page's service. Nothing here decides a permission on its own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from accounts.access import AUDIT_READERS, ensure, get_object_for_user
from accounts.models import Role, Team
from assessments.forms import ActionForm, AssessmentStartForm, EvidenceForm
from assessments.models import Assessment, ControlAssignment, Evidence
from assessments.rules import can_start_assessment, can_work_on_assignment
from assessments.services import assessments as assessment_services
from assessments.services import assignments as assignment_services
from assessments.workflow import ASSIGNMENT
from audit.hidden_text import save_with_choices
from audit.models import AuditEvent
from core.concurrency import EditConflict
from governance.forms.inventory import AISystemForm
from governance.models import AISystem, Control, Framework, FrameworkItem, Threat
from governance.rules import can_create_system, can_edit_system, get_library_object_for_user
from governance.services.inventory import ai_system_create, ai_system_update

from .. import filters, serializers
from ..errors import body
from ..pagination import BySequence
from .base import OrgAPIView, bound_form, checked, take_step

ERRORS = {
    400: OpenApiResponse(description="Invalid input: `{error: {code, message, fields}}`."),
    401: OpenApiResponse(description="No valid token or session."),
    403: OpenApiResponse(description="Your role, or the record's owner team, does not allow this."),
    404: OpenApiResponse(description="No such record in this organisation (or you are not a member)."),
    429: OpenApiResponse(description="Over the token's rate limit: wait the seconds in `Retry-After`."),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k != 400}
# Lists refuse a bad filter value, cursor or page size.
LIST_ERRORS = ERRORS
CONFLICT = {409: OpenApiResponse(description="Stale `version`: the body's `error.current_version` is the record's.")}


class OrgListView(mixins.ListModelMixin, OrgAPIView):
    """A list of one kind of record of the organisation, filtered and cursor-paginated."""

    filter_backends = [filters.OrgFilterBackend]


class OrgDetailView(OrgAPIView):
    """One record, fetched through the organisation: a foreign id is 404."""

    min_role = Role.VIEWER
    roles = None

    def get_object(self):
        _membership, obj = get_object_for_user(
            self.request,
            self.kwargs["org_slug"],
            self.detail_queryset(),
            self.kwargs["pk"],
            min_role=self.min_role,
            roles=self.roles,
        )
        return obj

    def detail_queryset(self):
        return self.get_queryset()

    def retrieve(self, request):
        return Response(self.get_serializer(self.get_object()).data)


# --- AI systems -----------------------------------------------------------------------------


def _system_rows():
    return AISystem.objects.select_related("owner_team")


@extend_schema_view(
    get=extend_schema(summary="List AI systems", responses={200: serializers.AISystemSerializer, **LIST_ERRORS}),
    post=extend_schema(
        summary="Add an AI system",
        request=serializers.AISystemWriteSerializer,
        responses={201: serializers.AISystemSerializer, **ERRORS},
    ),
)
class SystemList(OrgListView):
    serializer_class = serializers.AISystemSerializer
    filterset_class = filters.SystemFilter
    queryset = AISystem.objects.none()

    def get_queryset(self):
        return _system_rows().filter(organisation=self.org)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)

    def post(self, request, org_slug):
        membership = self.membership(min_role=Role.MEMBER)
        ensure(can_create_system(membership), _("Your role does not allow adding systems."))
        data = checked(serializers.AISystemWriteSerializer, request)
        data.pop("version", None)
        defaults = {  # what the page's form starts from (EU AI Act tier, role, unticked flags)
            f.name: f.get_default()
            for f in (AISystem._meta.get_field(name) for name in serializers.SYSTEM_FIELDS)
            if f.has_default()
        }
        form = bound_form(
            AISystemForm, {**defaults, **data}, hidden=data.get("hidden_characters"), org=membership.organisation
        )
        system = save_with_choices(
            form,
            lambda: ai_system_create(
                actor=request.user, organisation=membership.organisation, data=form.profile_data()
            ),
            actor=request.user,
        )
        return Response(serializers.AISystemSerializer(system).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Read an AI system", responses={200: serializers.AISystemSerializer, **READ_ERRORS}),
    patch=extend_schema(
        summary="Change an AI system",
        description="Send the fields that change and `version`, the version you read. A stale version "
        "changes nothing and answers 409 with the current version.",
        request=serializers.AISystemWriteSerializer,
        responses={200: serializers.AISystemSerializer, **ERRORS, **CONFLICT},
    ),
)
class SystemDetail(OrgDetailView):
    serializer_class = serializers.AISystemSerializer
    queryset = AISystem.objects.none()

    def get_queryset(self):
        return _system_rows()

    def get(self, request, org_slug, pk):
        return self.retrieve(request)

    def patch(self, request, org_slug, pk):
        membership, system = get_object_for_user(request, org_slug, _system_rows(), pk, min_role=Role.MEMBER)
        ensure(can_edit_system(membership, system), _("Only leads and the owner team can change this system."))
        data = checked(serializers.AISystemWriteSerializer, request, partial=True)
        if "version" not in data:
            return Response(
                body(
                    "invalid", _("Send `version`, the version you read."), {"version": [_("This field is required.")]}
                ),
                status=400,
            )
        current = {name: getattr(system, name) for name in serializers.SYSTEM_FIELDS}
        current["owner_team"] = system.owner_team_id
        form = bound_form(
            AISystemForm,
            {**current, **data},
            hidden=data.get("hidden_characters"),
            instance=system,
            org=membership.organisation,
        )
        system = save_with_choices(
            form,
            lambda: ai_system_update(
                actor=request.user, system=system, expected_version=data["version"], data=form.profile_data()
            ),
            actor=request.user,
        )
        return Response(serializers.AISystemSerializer(system).data)


# --- Teams ----------------------------------------------------------------------------------


def _team_rows():
    return Team.objects.select_related("lead").prefetch_related("members")


@extend_schema_view(get=extend_schema(summary="List teams", responses={200: serializers.TeamSerializer, **LIST_ERRORS}))
class TeamList(OrgListView):
    serializer_class = serializers.TeamSerializer
    queryset = Team.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return _team_rows().filter(organisation=self.org)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)


@extend_schema_view(
    get=extend_schema(summary="Read a team", responses={200: serializers.TeamSerializer, **READ_ERRORS})
)
class TeamDetail(OrgDetailView):
    serializer_class = serializers.TeamSerializer
    queryset = Team.objects.none()

    def get_queryset(self):
        return _team_rows()

    def get(self, request, org_slug, pk):
        return self.retrieve(request)


# --- Library (built-in entries and the organisation's own) ----------------------------------

MAPPINGS = Prefetch("mappings", queryset=FrameworkItem.objects.select_related("framework"))


class LibraryDetail(OrgAPIView):
    def get(self, request, org_slug, pk):
        self.membership()  # resolved without touching the session; the rule below reuses it
        _membership, obj = get_library_object_for_user(request, org_slug, self.get_queryset(), pk)
        return Response(self.get_serializer(obj).data)


@extend_schema_view(
    get=extend_schema(summary="List library controls", responses={200: serializers.ControlSerializer, **LIST_ERRORS})
)
class ControlList(OrgListView):
    serializer_class = serializers.ControlSerializer
    filterset_class = filters.ApiControlFilter
    queryset = Control.objects.none()

    def get_queryset(self):
        return Control.objects.for_org(self.org).prefetch_related(MAPPINGS)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)


@extend_schema_view(
    get=extend_schema(summary="Read a library control", responses={200: serializers.ControlSerializer, **READ_ERRORS})
)
class ControlDetail(LibraryDetail):
    serializer_class = serializers.ControlSerializer
    queryset = Control.objects.none()

    def get_queryset(self):
        return Control.objects.prefetch_related(MAPPINGS)


THREAT_CONTROLS = Prefetch("controls", queryset=Control.objects.only("id", "ref"))


@extend_schema_view(
    get=extend_schema(summary="List library threats", responses={200: serializers.ThreatSerializer, **LIST_ERRORS})
)
class ThreatList(OrgListView):
    serializer_class = serializers.ThreatSerializer
    filterset_class = filters.ApiThreatFilter
    queryset = Threat.objects.none()

    def get_queryset(self):
        return Threat.objects.for_org(self.org).prefetch_related(MAPPINGS, THREAT_CONTROLS)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)


@extend_schema_view(
    get=extend_schema(summary="Read a library threat", responses={200: serializers.ThreatSerializer, **READ_ERRORS})
)
class ThreatDetail(LibraryDetail):
    serializer_class = serializers.ThreatSerializer
    queryset = Threat.objects.none()

    def get_queryset(self):
        return Threat.objects.prefetch_related(MAPPINGS, THREAT_CONTROLS)


@extend_schema_view(
    get=extend_schema(summary="List frameworks", responses={200: serializers.FrameworkSerializer, **LIST_ERRORS})
)
class FrameworkList(OrgListView):
    serializer_class = serializers.FrameworkSerializer
    queryset = Framework.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return Framework.objects.for_org(self.org)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)


@extend_schema_view(
    get=extend_schema(summary="Read a framework", responses={200: serializers.FrameworkSerializer, **READ_ERRORS})
)
class FrameworkDetail(LibraryDetail):
    serializer_class = serializers.FrameworkSerializer
    queryset = Framework.objects.none()

    def get_queryset(self):
        return Framework.objects.all()


# --- Assessments ----------------------------------------------------------------------------


def _assessment_rows():
    return Assessment.objects.select_related("started_by", "submitted_by", "approved_by")


@extend_schema_view(
    get=extend_schema(summary="List assessments", responses={200: serializers.AssessmentSerializer, **LIST_ERRORS})
)
class AssessmentList(OrgListView):
    serializer_class = serializers.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    queryset = Assessment.objects.none()

    def get_queryset(self):
        return _assessment_rows().filter(organisation=self.org)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)


@extend_schema_view(
    get=extend_schema(summary="Read an assessment", responses={200: serializers.AssessmentSerializer, **READ_ERRORS})
)
class AssessmentDetail(OrgDetailView):
    serializer_class = serializers.AssessmentSerializer
    queryset = Assessment.objects.none()

    def get_queryset(self):
        return _assessment_rows()

    def get(self, request, org_slug, pk):
        return self.retrieve(request)


class AssessmentStart(OrgAPIView):
    serializer_class = serializers.AssessmentSerializer
    queryset = AISystem.objects.none()

    @extend_schema(
        summary="Start an assessment of an AI system",
        description="Governance leads start one; a system has at most one open assessment.",
        request=serializers.AssessmentStartSerializer,
        responses={201: serializers.AssessmentSerializer, **ERRORS},
    )
    def post(self, request, org_slug, pk):
        membership, system = get_object_for_user(request, org_slug, _system_rows(), pk, min_role=Role.LEAD)
        ensure(can_start_assessment(membership, system), _("A retired system is not assessed."))
        data = checked(serializers.AssessmentStartSerializer, request)
        form = bound_form(AssessmentStartForm, data)
        assessment = assessment_services.assessment_start(
            actor=request.user, system=system, due_date=form.cleaned_data["due_date"]
        )
        return Response(serializers.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


# --- Control assignments and evidence -------------------------------------------------------


def _assignment_rows():
    return ControlAssignment.objects.select_related(
        "control", "assignee", "implemented_by", "verified_by", "cosigned_by"
    )


@extend_schema_view(
    get=extend_schema(
        summary="List control assignments", responses={200: serializers.AssignmentSerializer, **LIST_ERRORS}
    )
)
class AssignmentList(OrgListView):
    serializer_class = serializers.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    queryset = ControlAssignment.objects.none()

    def get_queryset(self):
        return _assignment_rows().filter(organisation=self.org)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)


@extend_schema_view(
    get=extend_schema(
        summary="Read a control assignment", responses={200: serializers.AssignmentSerializer, **READ_ERRORS}
    )
)
class AssignmentDetail(OrgDetailView):
    serializer_class = serializers.AssignmentSerializer
    queryset = ControlAssignment.objects.none()

    def get_queryset(self):
        return _assignment_rows()

    def get(self, request, org_slug, pk):
        return self.retrieve(request)


class AssignmentAction(OrgAPIView):
    serializer_class = serializers.AssignmentSerializer
    queryset = ControlAssignment.objects.none()

    @extend_schema(
        summary="Take a lifecycle step on a control assignment",
        description="The steps and who may take them are the assignment page's: `start`, `implement`, "
        "`verify`, `cosign`, `send_back`, `propose_na` (with `text`), `approve_na`, `reject_na`, `reopen`.",
        request=serializers.AssignmentActionSerializer,
        responses={200: serializers.AssignmentSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, org_slug, pk):
        membership, assignment = get_object_for_user(request, org_slug, _assignment_rows(), pk, min_role=Role.MEMBER)
        take_step(
            request,
            membership,
            assignment,
            ASSIGNMENT,
            serializers.AssignmentActionSerializer,
            ActionForm,
            lambda name, data: assignment_services.assignment_act(
                actor=request.user,
                assignment=assignment,
                action=name,
                expected_version=data["version"],
                text=data["text"],
            ),
        )
        return Response(serializers.AssignmentSerializer(_assignment_rows().get(pk=assignment.pk)).data)


def add_evidence(request, membership, assignment, data: dict | None = None) -> Response:
    """Validate with the page's evidence form (file type by content, size, link scheme, dates) and
    save through `evidence_add`."""
    ensure(can_work_on_assignment(membership, assignment), _("Only the owner team and leads add evidence."))
    data = checked(serializers.EvidenceAddSerializer, request) if data is None else data
    upload = data.pop("file", None)
    form = bound_form(
        EvidenceForm,
        {"link": "", "note": "", "valid_until": None, **data},
        files={"file": upload} if upload else {},
        hidden=data.get("hidden_characters"),
    )
    evidence = save_with_choices(
        form,
        lambda: assignment_services.evidence_from_form(actor=request.user, assignment=assignment, form=form),
        actor=request.user,
        obj=assignment,
    )
    return Response(serializers.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


EVIDENCE_ADD: dict[str, Any] = {
    "summary": "Attach evidence to a control assignment",
    "description": "Exactly one of a file (multipart/form-data, checked by content like an upload on the page), "
    "a link (http or https) or a note; `valid_until` for evidence that expires.",
    "request": {
        "multipart/form-data": serializers.EvidenceAddSerializer,
        "application/json": serializers.EvidenceAddSerializer,
    },
    "responses": {201: serializers.EvidenceSerializer, **ERRORS},
}


@extend_schema_view(
    get=extend_schema(
        summary="List an assignment's evidence", responses={200: serializers.EvidenceSerializer, **LIST_ERRORS}
    ),
    post=extend_schema(**EVIDENCE_ADD),
)
class EvidenceList(OrgListView):
    serializer_class = serializers.EvidenceSerializer
    queryset = Evidence.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return Evidence.objects.select_related("uploaded_by").filter(assignment=self.assignment)

    def get(self, request, org_slug, pk):
        _membership, self.assignment = get_object_for_user(request, org_slug, ControlAssignment, pk)
        return self.list(request)

    def post(self, request, org_slug, pk):
        membership, assignment = get_object_for_user(request, org_slug, ControlAssignment, pk, min_role=Role.MEMBER)
        return add_evidence(request, membership, assignment)


class ControlEvidence(OrgAPIView):
    """For CI pipelines: the assignment found by the system and the control's reference."""

    serializer_class = serializers.EvidenceSerializer
    queryset = ControlAssignment.objects.none()

    @extend_schema(
        **{
            **EVIDENCE_ADD,
            "summary": "Attach evidence to a system's control, by reference (for CI)",
            "description": EVIDENCE_ADD["description"] + " With `implement` true, the control is then marked "
            "implemented if the caller may take that step on the assignment page (its owner team or a lead, from "
            "`not_started` or `in_progress`); the evidence is kept either way and `implement` in the answer says "
            "whether the move was made and why not.",
            "request": {
                "multipart/form-data": serializers.ControlEvidenceAddSerializer,
                "application/json": serializers.ControlEvidenceAddSerializer,
            },
            "responses": {201: serializers.ControlEvidenceSerializer, **ERRORS},
        }
    )
    def post(self, request, org_slug, pk, ref):
        membership = self.membership(min_role=Role.MEMBER)
        assignment = (
            ControlAssignment.objects.filter(
                organisation=membership.organisation, ai_system_id=pk, control__ref=ref, retired_at__isnull=True
            )
            .order_by("-id")
            .first()
        )
        if assignment is None:
            return Response(body("not_found", _("This system has no current assignment of that control.")), status=404)
        data = checked(serializers.ControlEvidenceAddSerializer, request)
        implement = data.pop("implement", False)
        response = add_evidence(request, membership, assignment, data)
        if implement:
            response.data = {**response.data, "implement": _implement(request.user, assignment)}
        return response


def _implement(actor, assignment: ControlAssignment) -> dict[str, Any]:
    """Mark the assignment implemented through the assignment page's step (same rules, same
    service), from the version it has now, just after the evidence was added. A refusal is
    reported, not raised: the evidence stays."""
    current = ControlAssignment.objects.get(pk=assignment.pk)
    try:
        moved = assignment_services.assignment_act(
            actor=actor, assignment=current, action="implement", expected_version=current.version
        )
    except (PermissionDenied, ValidationError, EditConflict) as exc:
        if isinstance(exc, ValidationError):
            reason = " ".join(exc.messages)
        elif isinstance(exc, EditConflict):
            reason = _("Someone changed the assignment meanwhile; mark it implemented on its page.")
        else:
            reason = str(exc)
        current.refresh_from_db(fields=["status"])
        return {"done": False, "status": current.status, "reason": reason or _("The step is not allowed.")}
    return {"done": True, "status": moved.status, "reason": ""}


# --- Audit trail ----------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="Read the audit trail",
        description="Newest first by sequence number. Admins, leads and auditors read it.",
        responses={200: serializers.AuditEventSerializer, **LIST_ERRORS},
    )
)
class AuditEventList(OrgListView):
    serializer_class = serializers.AuditEventSerializer
    filterset_class = filters.AuditEventFilter
    pagination_class = BySequence
    queryset = AuditEvent.objects.none()

    def get_queryset(self):
        return AuditEvent.objects.filter(organisation=self.org)

    def get(self, request, org_slug):
        self.membership(roles=AUDIT_READERS)
        return self.list(request)
