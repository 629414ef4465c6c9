"""Incidents and their timelines, alignment reviews, readiness and audit packs through the API, each with the
page's rules (`incidents.rules`, `records` access), forms and services, or the readiness engine
the dashboard reads (`readiness.engine`)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import renderers
from rest_framework.response import Response

from accounts.access import AUDIT_READERS, ensure, get_object_for_user
from accounts.models import Role
from alignment.models import AlignmentReview
from alignment.workflow import KIND as ALIGNMENT_KIND
from governance.models import AISystem
from incidents import rules as incident_rules
from incidents import services as incident_services
from incidents.forms import IncidentFilter, IncidentForm, TimelineEntryForm
from incidents.models import Incident, TimelineEntry
from readiness import engine
from regulatory.models import FundamentalRightsAssessment
from regulatory.workflow import KIND as FRIA_KIND
from reports import services as report_services
from reports.forms import PackRequestForm
from reports.models import AuditPack
from response.models import IncidentResponsePlan, TabletopExercise
from response.workflow import PLAN_KIND, TABLETOP_KIND

from .. import record_serializers as rs
from ..pagination import NewestFirst
from .base import OrgAPIView
from .records import create_with_form, read_views, record_rows, step_view
from .resources import ERRORS, LIST_ERRORS, READ_ERRORS, OrgListView


def _incident_rows():
    return Incident.objects.select_related("reported_by", "closed_by", "reviewed_by").prefetch_related(
        Prefetch("systems", queryset=AISystem.objects.only("id")), "threats", "controls", "risks"
    )


class ApiIncidentFilter(IncidentFilter):
    """The incident list's filters (domain, severity, status, system)."""


@extend_schema_view(
    get=extend_schema(summary="List incidents", responses={200: rs.IncidentSerializer, **LIST_ERRORS}),
    post=extend_schema(
        summary="Report an incident",
        description="Members, leads and admins report an incident on one or more systems; the intent triage's two "
        "answers decide its domain and it is routed to the domain's incident-response team.",
        request=rs.IncidentReportSerializer,
        responses={201: rs.IncidentSerializer, **ERRORS},
    ),
)
class IncidentList(OrgListView):
    serializer_class = rs.IncidentSerializer
    filterset_class = ApiIncidentFilter
    queryset = Incident.objects.none()

    def get_queryset(self):
        return _incident_rows().filter(organisation=self.org)

    def get(self, request, org_slug):
        self.membership()
        return self.list(request)

    def post(self, request, org_slug):
        membership = self.membership(min_role=Role.MEMBER)
        ensure(incident_rules.can_report(membership), _("Members, leads and admins report incidents."))
        org = membership.organisation
        incident = create_with_form(
            request,
            rs.IncidentReportSerializer,
            IncidentForm,
            lambda form: incident_services.incident_report(
                actor=request.user, organisation=org, data=form.incident_data(), systems=form.cleaned_data["systems"]
            ),
            org=org,
        )
        return Response(rs.IncidentSerializer(_incident_rows().get(pk=incident.pk)).data, status=201)


@extend_schema_view(
    get=extend_schema(summary="Read an incident", responses={200: rs.IncidentSerializer, **READ_ERRORS})
)
class IncidentDetail(OrgAPIView):
    serializer_class = rs.IncidentSerializer
    queryset = Incident.objects.none()

    def get(self, request, org_slug, pk):
        _membership, incident = get_object_for_user(request, org_slug, _incident_rows(), pk)
        return Response(rs.IncidentSerializer(incident).data)


@extend_schema_view(
    get=extend_schema(
        summary="Read an incident's timeline", responses={200: rs.TimelineEntrySerializer, **LIST_ERRORS}
    ),
    post=extend_schema(
        summary="Add a line to an incident's timeline",
        description="Leads and members of the incident's teams, while it is not closed. Entries are never edited: "
        "a correction is a new entry.",
        request=rs.TimelineAddSerializer,
        responses={201: rs.TimelineEntrySerializer, **ERRORS},
    ),
)
class TimelineList(OrgListView):
    serializer_class = rs.TimelineEntrySerializer
    queryset = TimelineEntry.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return TimelineEntry.objects.select_related("author").filter(incident=self.incident)

    def get(self, request, org_slug, pk):
        _membership, self.incident = get_object_for_user(request, org_slug, Incident, pk)
        return self.list(request)

    def post(self, request, org_slug, pk):
        membership, incident = get_object_for_user(
            request, org_slug, Incident.objects.prefetch_related("systems"), pk, min_role=Role.MEMBER
        )
        ensure(
            incident_rules.can_work_on_incident(membership, incident),
            _("Leads and the incident's teams add to its timeline."),
        )
        entry = create_with_form(
            request,
            rs.TimelineAddSerializer,
            TimelineEntryForm,
            lambda form: incident_services.timeline_add(
                actor=request.user,
                incident=incident,
                occurred_at=form.cleaned_data["occurred_at"],
                text=form.cleaned_data["text"],
            ),
        )
        return Response(rs.TimelineEntrySerializer(entry).data, status=201)


# --- Alignment reviews (read; lifecycle steps) ---------------------------------------------------


def _review_rows():
    return AlignmentReview.objects.select_related(
        "author", "submitted_by", "approved_by", "decided_by"
    ).prefetch_related("metrics", "findings")


AlignmentReviewList, AlignmentReviewDetail = read_views(
    AlignmentReview, "alignment review", rs.AlignmentReviewSerializer, _review_rows
)
# Approving with conditions needs the conditions, which are recorded on the decision page; the
# step's own guard says so when it is asked for here without them.
AlignmentReviewStep = step_view(ALIGNMENT_KIND, "alignment review", rs.AlignmentReviewSerializer, _review_rows)


# --- Incident-response plans, tabletop exercises, fundamental-rights impact assessments ---------
# Read by every member; their lifecycle steps as on their pages. Writing them stays on the pages
# (their forms hold nested contacts, severity levels and playbooks).


def _plan_rows():
    return record_rows(IncidentResponsePlan).prefetch_related("systems", "playbooks")


def _tabletop_rows():
    return record_rows(TabletopExercise).prefetch_related("participants")


def _fria_rows():
    return record_rows(FundamentalRightsAssessment)


PlanList, PlanDetail = read_views(IncidentResponsePlan, "incident-response plan", rs.PlanSerializer, _plan_rows)
PlanStep = step_view(PLAN_KIND, "incident-response plan", rs.PlanSerializer, _plan_rows)
TabletopList, TabletopDetail = read_views(TabletopExercise, "tabletop exercise", rs.TabletopSerializer, _tabletop_rows)
TabletopStep = step_view(TABLETOP_KIND, "tabletop exercise", rs.TabletopSerializer, _tabletop_rows)
FRIAList, FRIADetail = read_views(
    FundamentalRightsAssessment, "fundamental-rights impact assessment", rs.FRIASerializer, _fria_rows
)
FRIAStep = step_view(FRIA_KIND, "fundamental-rights impact assessment", rs.FRIASerializer, _fria_rows)


# --- Readiness (read) -------------------------------------------------------------------------


class SystemReadinessView(OrgAPIView):
    serializer_class = rs.SystemReadinessSerializer
    queryset = AISystem.objects.none()

    @extend_schema(
        summary="Readiness of an AI system",
        description="The dashboard's verdict: every gate with its reason, control readiness per domain against the "
        "organisation's threshold, and whether the system is audit-ready (docs/readiness.md).",
        responses={200: rs.SystemReadinessSerializer, **READ_ERRORS},
    )
    def get(self, request, org_slug, pk):
        membership, system = get_object_for_user(request, org_slug, AISystem.objects.only("id", "name"), pk)
        verdict = engine.for_systems(membership.organisation, [system.pk], names={system.pk: system.name})
        return Response(rs.SystemReadinessSerializer(verdict[system.pk]).data)


class OrganisationReadinessView(OrgAPIView):
    serializer_class = rs.OrganisationReadinessSerializer
    queryset = AISystem.objects.none()

    @extend_schema(
        summary="Readiness of the organisation",
        description="Every AI system in service with its verdict, and how many are audit-ready.",
        responses={200: rs.OrganisationReadinessSerializer, **READ_ERRORS},
    )
    def get(self, request, org_slug):
        membership = self.membership()
        return Response(rs.OrganisationReadinessSerializer(engine.for_organisation(membership.organisation)).data)


# --- Audit packs (request, poll, download) ----------------------------------------------------


def _pack_rows():
    return AuditPack.objects.select_related("requested_by")


@extend_schema_view(
    get=extend_schema(
        summary="List audit packs",
        description="Newest first by id. Auditors, leads and admins.",
        responses={200: rs.AuditPackSerializer, **LIST_ERRORS},
    ),
    post=extend_schema(
        summary="Request an audit pack",
        description="Of the whole organisation or one AI system; a background job builds it. Poll the pack "
        "(`GET audit-packs/<id>/`) until `status` is `done` (then `download` is its URL) or `failed` (`message` "
        "says why). One pack is built at a time per organisation: 400 while another is queued or building.",
        request=rs.AuditPackRequestSerializer,
        responses={202: rs.AuditPackSerializer, **ERRORS},
    ),
)
class AuditPackList(OrgListView):
    serializer_class = rs.AuditPackSerializer
    pagination_class = NewestFirst
    queryset = AuditPack.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return _pack_rows().filter(organisation=self.org)

    def get(self, request, org_slug):
        self.membership(roles=AUDIT_READERS)
        return self.list(request)

    def post(self, request, org_slug):
        membership = self.membership(roles=AUDIT_READERS)
        org = membership.organisation
        pack = create_with_form(
            request,
            rs.AuditPackRequestSerializer,
            PackRequestForm,
            lambda form: report_services.pack_request(
                actor=request.user, organisation=org, ai_system=form.cleaned_data["ai_system"]
            ),
            org=org,
        )
        return Response(self.get_serializer(_pack_rows().get(pk=pack.pk)).data, status=202)


@extend_schema_view(
    get=extend_schema(summary="Poll an audit pack", responses={200: rs.AuditPackSerializer, **READ_ERRORS})
)
class AuditPackDetail(OrgAPIView):
    serializer_class = rs.AuditPackSerializer
    queryset = AuditPack.objects.none()

    def get(self, request, org_slug, pk):
        _membership, pack = get_object_for_user(request, org_slug, _pack_rows(), pk, roles=AUDIT_READERS)
        return Response(self.get_serializer(pack).data)


class ZipRenderer(renderers.BaseRenderer):
    """Lets a client ask for the zip (`Accept: application/zip`); the file itself is streamed."""

    media_type = "application/zip"
    format = "zip"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class AuditPackDownload(OrgAPIView):
    queryset = AuditPack.objects.none()
    renderer_classes = [renderers.JSONRenderer, ZipRenderer]

    @extend_schema(
        summary="Download an audit pack",
        description="The zip (PDF report, workbook, CSV files, MANIFEST.sha256); its SHA-256 is the pack's `sha256`. "
        "404 until the pack is ready. Each download is an event of the audit trail.",
        responses={(200, "application/zip"): OpenApiTypes.BINARY, **READ_ERRORS},
    )
    def get(self, request, org_slug, pk):
        _membership, pack = get_object_for_user(
            request, org_slug, AuditPack.objects.select_related("organisation"), pk, roles=AUDIT_READERS
        )
        if not pack.is_ready:
            raise Http404(_("This audit pack is not ready."))
        try:
            handle = pack.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("This audit pack's file is missing.")) from exc
        report_services.pack_downloaded(actor=request.user, pack=pack)
        response = FileResponse(
            handle, as_attachment=True, filename=pack.download_name(), content_type="application/zip"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
