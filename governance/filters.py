import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from .models import AISystem, EUAIActTier, Exposure, LifecycleStage, SystemType


class AISystemFilter(django_filters.FilterSet):
    """Inventory filters; they live in the URL so a filtered list can be bookmarked and shared."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    system_type = django_filters.ChoiceFilter(label=_("Type"), choices=SystemType.choices)
    exposure = django_filters.ChoiceFilter(label=_("Exposure"), choices=Exposure.choices)
    lifecycle_stage = django_filters.ChoiceFilter(label=_("Stage"), choices=LifecycleStage.choices)
    eu_ai_act_tier = django_filters.ChoiceFilter(label=_("EU AI Act tier"), choices=EUAIActTier.choices)
    owner_team = django_filters.ModelChoiceFilter(label=_("Owner team"), queryset=Team.objects.none())
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("active", _("In service")), ("retired", _("Retired")), ("all", _("All"))],
        method="filter_status",
        empty_label=None,
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Name (A–Z)"),
        fields=[("name", "name"), ("updated_at", "updated"), ("eu_ai_act_tier", "tier"), ("lifecycle_stage", "stage")],
        field_labels={
            "name": _("Name"),
            "updated_at": _("Last change"),
            "eu_ai_act_tier": _("Tier"),
            "lifecycle_stage": _("Stage"),
        },
    )

    class Meta:
        model = AISystem
        fields = ["q", "system_type", "exposure", "lifecycle_stage", "eu_ai_act_tier", "owner_team", "status"]

    def __init__(self, data=None, *args, org, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = "active"
        super().__init__(data, *args, **kwargs)
        self.filters["owner_team"].queryset = Team.objects.for_org(org)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(description__icontains=value) | Q(model_details__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(retired_at__isnull=True)
        if value == "retired":
            return queryset.filter(retired_at__isnull=False)
        return queryset
