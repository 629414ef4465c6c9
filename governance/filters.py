import django_filters
from django.db.models import Case, F, IntegerField, Q, When
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from .models import AISystem, EUAIActTier, Exposure, LifecycleStage, SystemType

STAGE_ORDER = [LifecycleStage.DESIGN, LifecycleStage.DEVELOPMENT, LifecycleStage.VALIDATION, LifecycleStage.PRODUCTION]
TIER_ORDER = [
    EUAIActTier.UNASSESSED,
    EUAIActTier.MINIMAL,
    EUAIActTier.LIMITED,
    EUAIActTier.GPAI,
    EUAIActTier.HIGH,
    EUAIActTier.GPAI_SYSTEMIC,
    EUAIActTier.PROHIBITED,
]


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
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        empty_label=_("Name (A–Z)"),
        choices=[
            ("name", _("Name (A–Z)")),
            ("-name", _("Name (Z–A)")),
            ("-updated", _("Recently changed")),
            ("stage", _("Lifecycle stage")),
            ("-stage", _("Lifecycle stage, latest first")),
            ("-tier", _("EU AI Act tier, highest first")),
            ("tier", _("EU AI Act tier, lowest first")),
        ],
        method="order",
    )

    class Meta:
        model = AISystem
        fields = ["q", "system_type", "exposure", "lifecycle_stage", "eu_ai_act_tier", "owner_team", "status", "sort"]

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

    def order(self, queryset, name, value):
        # Stages and tiers sort by their meaning (design → production; minimal → prohibited),
        # not alphabetically by their codes.
        descending = value.startswith("-")
        key = value.lstrip("-")
        if key == "name":
            expression = Lower("name")
        elif key == "updated":
            expression = F("updated_at")
        else:
            ranking = STAGE_ORDER if key == "stage" else TIER_ORDER
            field = "lifecycle_stage" if key == "stage" else "eu_ai_act_tier"
            expression = Case(*(When(**{field: v}, then=i) for i, v in enumerate(ranking)), output_field=IntegerField())
        return queryset.order_by(expression.desc() if descending else expression.asc(), "name")

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(retired_at__isnull=True)
        if value == "retired":
            return queryset.filter(retired_at__isnull=False)
        return queryset
