"""Filters of the organisation-wide lists the dashboard's numbers link to."""

from __future__ import annotations

import copy
from typing import Any, cast

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from assessments.forms.assignments import AssignmentFilter, WorkFilter
from assessments.models import AssignmentStatus
from core.choices import Domain
from core.rendering import FastSelect
from governance.models import AISystem
from threats.models import FindingStatus, RedTeamFinding, Severity

READINESS_DOMAIN_CHOICES = [(Domain.SECURITY.value, Domain.SECURITY.label), (Domain.SAFETY.value, Domain.SAFETY.label)]


def _in_domain(field: str):
    """Domain filters count `both` in each side, as readiness does."""

    def narrow(queryset, name, value):
        return queryset.filter(**{f"{field}__in": [value, Domain.BOTH]}) if value else queryset

    return narrow


class OrganisationWorkFilter(WorkFilter):
    """Every team's assignments (the dashboard's numbers link here): by team, co-signing team,
    domain (both counting in each), practice, status, system and due date."""

    team = django_filters.ModelChoiceFilter(
        label=_("Owner team"), field_name="owner_team", queryset=Team.objects.none(), empty_label=_("Any")
    )
    cosign = django_filters.ModelChoiceFilter(
        label=_("Awaiting co-signature of"),
        queryset=Team.objects.none(),
        method="filter_cosign",
        empty_label=_("Any"),
    )
    domain = django_filters.ChoiceFilter(
        label=_("Domain"), choices=READINESS_DOMAIN_CHOICES, method=_in_domain("control__domain"), empty_label=_("Any")
    )

    class Meta:
        model = WorkFilter.Meta.model
        fields = ["status", "domain", "team", "cosign", "system", "due"]

    def __init__(self, data=None, *args, org: Organisation, user, **kwargs):
        super().__init__(data, *args, org=org, user=user, **kwargs)
        del self.filters["mine"]  # "assigned to me" belongs to My work
        for name in ("team", "cosign"):
            cast(django_filters.ModelChoiceFilter, self.filters[name]).queryset = Team.objects.for_org(org)
        practice: Any = copy.deepcopy(AssignmentFilter.base_filters["practice"])
        self.filters["practice"] = practice
        practice.parent = self

    def filter_cosign(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(cosigning_team=value, status=AssignmentStatus.IMPLEMENTED, cosigned_by__isnull=True)


class FindingFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(
        label=_("Domain"), choices=READINESS_DOMAIN_CHOICES, method=_in_domain("domain"), empty_label=_("Any")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"),
        choices=[("high_critical", _("High or critical")), *Severity.choices],
        method="filter_severity",
        empty_label=_("Any"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FindingStatus.choices, empty_label=_("Any"))
    system = django_filters.ModelChoiceFilter(
        label=_("AI system"),
        field_name="exercise__ai_system",
        queryset=AISystem.objects.none(),
        empty_label=_("Any"),
        widget=FastSelect(label_field="name"),  # every system of the organisation
    )

    class Meta:
        model = RedTeamFinding
        fields = ["domain", "severity", "status", "system"]

    def __init__(self, data=None, *args, org: Organisation, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = FindingStatus.OPEN  # what still needs doing; "Any" is one click away
        super().__init__(data, *args, **kwargs)
        cast(django_filters.ModelChoiceFilter, self.filters["system"]).queryset = AISystem.objects.for_org(org)

    def filter_severity(self, queryset, name, value):
        if value == "high_critical":
            return queryset.filter(Q(severity=Severity.HIGH) | Q(severity=Severity.CRITICAL))
        return queryset.filter(severity=value) if value else queryset
