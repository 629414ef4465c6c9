"""The AI-BOM through the API: components read (list, one), a system's CycloneDX JSON BOM read,
and a BOM written into a system from a build pipeline (`components.services.bom_import`: every
problem listed and nothing written, or all of it). The pages' rules, checks and services."""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.access import ensure, get_object_for_user
from accounts.models import Role
from components import bom, rules, services
from components.models import Component, Kind
from components.queries import of_systems
from governance.models import AISystem

from .. import record_serializers as rs
from .base import OrgAPIView, checked, problems_under
from .resources import ERRORS, LIST_ERRORS, READ_ERRORS, OrgListView


def _rows():
    return Component.objects.select_related("owner_team", "proposed_by", "decided_by", "created_by")


def _system(request, org_slug, pk, **kwargs):
    return get_object_for_user(request, org_slug, AISystem.objects.select_related("owner_team"), pk, **kwargs)


class ComponentFilter(django_filters.FilterSet):
    system = django_filters.ModelChoiceFilter(
        label=gettext_lazy("AI system"), field_name="ai_system", queryset=AISystem.objects.none()
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=Kind.choices)
    retired = django_filters.BooleanFilter(
        label=gettext_lazy("Retired components (default: those in use)"),
        field_name="retired_at",
        lookup_expr="isnull",
        exclude=True,
    )

    def __init__(self, data=None, *args, org, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["system"].queryset = AISystem.objects.for_org(org)


class ComponentList(OrgListView):
    serializer_class = rs.ComponentSerializer
    filterset_class = ComponentFilter
    queryset = Component.objects.none()

    def get_queryset(self):
        rows = _rows().filter(organisation=self.org)
        if "retired" not in self.request.query_params:
            rows = rows.filter(retired_at__isnull=True)
        return rows

    @extend_schema(
        summary="List the AI-BOM's components",
        description="Models, datasets, tools, MCP servers… of the organisation's systems, oldest first; "
        "those in use unless `retired` is given. Filters `system`, `kind`.",
        responses={200: rs.ComponentSerializer, **LIST_ERRORS},
    )
    def get(self, request, org_slug):
        self.membership()
        return self.list(request)


class ComponentDetail(OrgAPIView):
    serializer_class = rs.ComponentSerializer
    queryset = Component.objects.none()

    @extend_schema(summary="Read a component", responses={200: rs.ComponentSerializer, **READ_ERRORS})
    def get(self, request, org_slug, pk):
        _membership, component = get_object_for_user(request, org_slug, _rows(), pk)
        return Response(rs.ComponentSerializer(component).data)


class SystemBom(OrgAPIView):
    serializer_class = rs.BomImportResultSerializer
    queryset = AISystem.objects.none()

    @extend_schema(
        summary="Read a system's AI-BOM (CycloneDX 1.7 JSON)",
        description="What the system's Components tab shows, as the page's export gives it.",
        responses={(200, "application/vnd.cyclonedx+json"): OpenApiResponse(OpenApiTypes.OBJECT), **READ_ERRORS},
    )
    def get(self, request, org_slug, pk):
        _membership, system = _system(request, org_slug, pk)
        content = bom.to_json(bom.system_bom(system, of_systems([system.pk])[system.pk]))
        response = HttpResponse(content, content_type="application/vnd.cyclonedx+json")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="{slugify(system.name)}-aibom-{stamp}.cdx.json"'
        return response

    @extend_schema(
        summary="Write a CycloneDX JSON BOM into a system's AI-BOM",
        description="The page's import, for a build pipeline: the whole file is checked first and every problem "
        "is listed in `error.fields.file` (nothing is written then). An entry updates the active component of the "
        "same kind and name, or adds one; components the file does not list are left alone; approvals are never "
        "read from a file (a new tool or MCP server awaits a security lead). The same file twice changes nothing.",
        request={"multipart/form-data": rs.BomImportSerializer},
        responses={200: rs.BomImportResultSerializer, **ERRORS},
    )
    def post(self, request, org_slug, pk):
        membership, system = _system(request, org_slug, pk, min_role=Role.MEMBER)
        ensure(
            rules.can_add_component(membership, system), _("Leads and the system's owner team add components to it.")
        )
        upload = checked(rs.BomImportSerializer, request)["file"]
        with problems_under("file"):
            result = services.bom_import(actor=request.user, system=system, data=upload.read(bom.MAX_BYTES + 1))
        changed = _rows().filter(pk__in=[c.pk for c in (*result.created, *result.updated)]).order_by("pk")
        created = {c.pk for c in result.created}
        return Response(
            {
                "created": rs.ComponentSerializer([c for c in changed if c.pk in created], many=True).data,
                "updated": rs.ComponentSerializer([c for c in changed if c.pk not in created], many=True).data,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            }
        )
