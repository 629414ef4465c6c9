"""The UI's own filter sets, for the API: same names, same choices, same queries.

The pages' `sort` filter is left out: API lists are in cursor order (see pagination.py).
django-filter's backend answers an invalid filter value with 400 and the field's message.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from assessments.forms.assignments import WorkFilter
from assessments.models import Assessment, AssessmentStatus
from audit.models import AuditEvent
from governance.filters import AISystemFilter, ControlFilter, ThreatFilter
from governance.models import AISystem


def _unsorted(filterset_class):
    class Unsorted(filterset_class):
        def __init__(self, *args, **kwargs):
            self.base_filters = filterset_class.base_filters  # the parent's set-up reads `sort`
            super().__init__(*args, **kwargs)
            self.filters.pop("sort", None)

    # What the schema lists (drf-spectacular reads the class's filters).
    Unsorted.base_filters = {k: v for k, v in filterset_class.base_filters.items() if k != "sort"}
    Unsorted.__name__ = Unsorted.__qualname__ = f"Api{filterset_class.__name__}"
    return Unsorted


class _FrameworkKey:
    def filter_framework(self, queryset, name, value: str):  # the hint tells the schema: a framework key
        return super().filter_framework(queryset, name, value)  # type: ignore[misc]  # a mixin over the filter sets


SystemFilter = _unsorted(AISystemFilter)
ApiControlFilter = _unsorted(type("ControlFilter", (_FrameworkKey, ControlFilter), {}))
ApiThreatFilter = _unsorted(type("ThreatFilter", (_FrameworkKey, ThreatFilter), {}))


class AssignmentFilter(WorkFilter):
    """The *work* list's filters (status, domain, system, due, assignee) over the organisation."""


class AssessmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AssessmentStatus.choices)
    system = django_filters.ModelChoiceFilter(
        label=_("AI system"), field_name="ai_system", queryset=AISystem.objects.none()
    )

    class Meta:
        model = Assessment
        fields = ["status", "system"]

    def __init__(self, data=None, *args, org, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["system"].queryset = AISystem.objects.for_org(org)


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action, e.g. governance.aisystem.updated"), max_length=80)
    object_type = django_filters.CharFilter(label=_("Object type, e.g. governance.aisystem"), max_length=80)
    object_id = django_filters.CharFilter(label=_("Object id"), max_length=64)
    channel = django_filters.CharFilter(label=_("web, api or system"), max_length=16)

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "object_id", "channel"]

    def __init__(self, data=None, *args, org=None, **kwargs):
        super().__init__(data, *args, **kwargs)


class OrgFilterBackend(DjangoFilterBackend):
    """Passes the organisation (and the user, for *assigned to me*) to the filter set."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["org"] = view.org
        if issubclass(self.get_filterset_class(view, queryset), WorkFilter):
            kwargs["user"] = request.user
        return kwargs
