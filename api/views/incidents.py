"""Incidents and their timelines, alignment reviews and readiness through the API, each with the
page's rules (`incidents.rules`, `records` access), forms and services, or the readiness engine
the dashboard reads (`readiness.engine`)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from accounts.access import ensure, get_object_for_user
from accounts.models import Role
from alignment.models import AlignmentReview
from governance.models import AISystem
from incidents import rules as incident_rules
from incidents import services as incident_services
from incidents.forms import IncidentFilter, IncidentForm, TimelineEntryForm
from incidents.models import Incident, TimelineEntry
from readiness import engine

from .. import record_serializers as rs
from .base import OrgAPIView
from .records import create_with_form, read_views
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


# --- Alignment reviews (read) -----------------------------------------------------------------

AlignmentReviewList, AlignmentReviewDetail = read_views(
    AlignmentReview,
    "alignment review",
    rs.AlignmentReviewSerializer,
    lambda: AlignmentReview.objects.select_related(
        "author", "submitted_by", "approved_by", "decided_by"
    ).prefetch_related("metrics", "findings"),
)


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
