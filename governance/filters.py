import django_filters
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, When
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.choices import Domain

from .library.search import text_search, with_concern
from .models import (
    AISystem,
    Concern,
    Control,
    EUAIActTier,
    Exposure,
    Framework,
    FrameworkItem,
    LifecycleStage,
    Practice,
    Surface,
    SystemType,
    Threat,
)

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


def retirement_status_filter(active_label):
    """The Status filter of lists whose records are retired, never deleted."""
    return django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("active", active_label), ("retired", _("Retired")), ("all", _("All"))],
        method="filter_status",
        empty_label=None,
    )


class RetirableFilterSet(django_filters.FilterSet):
    """Shows records still in use unless the URL asks for retired ones or all."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = "active"
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(retired_at__isnull=True)
        if value == "retired":
            return queryset.filter(retired_at__isnull=False)
        return queryset


class AISystemFilter(RetirableFilterSet):
    """Inventory filters; they live in the URL so a filtered list can be bookmarked and shared."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    system_type = django_filters.ChoiceFilter(label=_("Type"), choices=SystemType.choices)
    exposure = django_filters.ChoiceFilter(label=_("Exposure"), choices=Exposure.choices)
    lifecycle_stage = django_filters.ChoiceFilter(label=_("Stage"), choices=LifecycleStage.choices)
    eu_ai_act_tier = django_filters.ChoiceFilter(label=_("EU AI Act tier"), choices=EUAIActTier.choices)
    owner_team = django_filters.ModelChoiceFilter(label=_("Owner team"), queryset=Team.objects.none())
    status = retirement_status_filter(_("In service"))
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

    def __init__(self, data=None, *args, org, extra_filters=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["owner_team"].queryset = Team.objects.for_org(org)
        # Filters higher apps contribute (core.extensions SYSTEM_LIST), e.g. readiness; applied
        # after ours, so they narrow what the other filters left.
        for name, extra in (extra_filters or {}).items():
            extra.parent = self
            extra.field_name = extra.field_name or name
            self.filters[name] = extra

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


class LibraryFilter(RetirableFilterSet):
    """Filters shared by the control and threat lists; they live in the URL, like every list's."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    domain = django_filters.ChoiceFilter(label=_("Domain"), choices=Domain.choices)
    framework = django_filters.ChoiceFilter(label=_("Framework"), method="filter_framework")
    concern = django_filters.ChoiceFilter(label=_("Concern"), choices=Concern.choices, method="filter_concern")
    status = retirement_status_filter(_("In the library"))
    sort = django_filters.ChoiceFilter(label=_("Sort by"), empty_label=_("Reference"), method="order")
    search_fields: list[str] = []
    sort_fields: list[str] = ["ref", "title", "domain"]

    def __init__(self, data=None, *args, org, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.frameworks = list(Framework.objects.for_org(org).active().order_by("name").only("id", "key", "name"))
        self.filters["framework"].extra["choices"] = [(fw.key, fw.name) for fw in self.frameworks]
        labels = {"ref": _("Reference"), "title": _("Title"), "domain": _("Domain")}
        labels.update({"practice": _("Practice"), "surface": _("Attack surface")})
        self.filters["sort"].extra["choices"] = [
            choice
            for name in self.sort_fields
            for choice in ((name, labels[name]), (f"-{name}", _("%(field)s, reversed") % {"field": labels[name]}))
        ]

    def search(self, queryset, name, value):
        return text_search(queryset, value, self.search_fields)

    def order(self, queryset, name, value):
        return queryset.order_by(value, "ref")

    def filter_framework(self, queryset, name, value):
        # EXISTS rather than a join: a control mapped to five items of the framework is listed once.
        items = FrameworkItem.objects.filter(
            framework__key=value, framework__in=[fw.pk for fw in self.frameworks], **{self.mapped_by: OuterRef("pk")}
        )
        return queryset.filter(Exists(items))

    def filter_concern(self, queryset, name, value):
        return with_concern(queryset, value)


class ControlFilter(LibraryFilter):
    practice = django_filters.ChoiceFilter(label=_("Practice"), choices=Practice.choices)
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=[("builtin", _("Built-in")), ("own", _("Our own"))], method="filter_source"
    )
    search_fields = ["ref", "title", "objective", "guidance"]
    sort_fields = ["ref", "title", "domain", "practice"]
    mapped_by = "controls"

    class Meta:
        model = Control
        fields = ["q", "domain", "practice", "framework", "concern", "source", "status", "sort"]

    def filter_source(self, queryset, name, value):
        return queryset.filter(organisation__isnull=value == "builtin")


class ThreatFilter(LibraryFilter):
    surface = django_filters.ChoiceFilter(label=_("Attack surface"), choices=Surface.choices)
    search_fields = ["ref", "title", "description"]
    sort_fields = ["ref", "title", "domain", "surface"]
    mapped_by = "threats"

    class Meta:
        model = Threat
        fields = ["q", "domain", "surface", "framework", "concern", "status", "sort"]
