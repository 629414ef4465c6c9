from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.choices import Domain
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from core.rendering import FastSelect
from governance.models import AISystem, Control

from .models import BANDS, RiskScenario, Treatment

DATE = forms.DateInput(attrs={"type": "date"})


class RiskForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """The risk scenario with the intent triage's two questions; the domain follows from them."""

    class Meta:
        model = RiskScenario
        fields = [
            "title",
            "description",
            "hostile_intent",
            "harm_in_benign_use",
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
            "treatment",
            "controls",
            "owner_team",
            "cosigning_team",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "controls": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "hostile_intent": _("Yes → a security risk."),
            "harm_in_benign_use": _("Yes → a safety risk. Both yes → both domains, with two owner teams."),
            "owner_team": _("Empty: routed to the team that owns the domain."),
            "cosigning_team": _("Only for risks of both domains; empty: routed."),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["controls"].queryset = Control.objects.for_org(org).active().order_by("ref")
        self.fields["owner_team"].queryset = Team.objects.for_org(org)
        self.fields["owner_team"].required = False
        self.fields["cosigning_team"].queryset = Team.objects.for_org(org)
        self.helper = form_helper()

    def record_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("controls", "version")}
        data.pop("hidden_text_choices", None)
        return {k: v for k, v in data.items() if k in self.Meta.fields}


class AcceptForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    rationale = forms.CharField(
        label=_("Why is the risk accepted?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    until = forms.DateField(label=_("Accepted until"), widget=DATE, help_text=_("At most a year from today."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


BAND_CHOICES = [(k, f"{k} ({lo}–{hi})") for k, (lo, hi) in BANDS.items()]


class RegisterFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(label=_("Domain"), choices=Domain.choices)
    ai_system = django_filters.ModelChoiceFilter(
        label=_("System"),
        queryset=AISystem.objects.none(),
        widget=FastSelect(label_field="name"),  # every system of the organisation: a thousand options
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.none(), method="filter_team")
    treatment = django_filters.ChoiceFilter(label=_("Treatment"), choices=Treatment.choices)
    band = django_filters.ChoiceFilter(label=_("Score band"), choices=BAND_CHOICES, method="filter_band")
    expiring = django_filters.BooleanFilter(
        label=_("Acceptance ends within 30 days"), method="filter_expiring", widget=forms.CheckboxInput
    )
    appetite = django_filters.ChoiceFilter(
        label=_("Above appetite"),
        choices=[("security", _("Security side")), ("safety", _("Safety side"))],
        method="filter_appetite",
        empty_label=_("—"),
        help_text=_("High or critical residual score and not accepted; risks of both domains count on each side."),
    )
    likelihood = django_filters.NumberFilter(field_name="residual_likelihood", widget=forms.HiddenInput)
    impact = django_filters.NumberFilter(field_name="residual_impact", widget=forms.HiddenInput)
    inherent_likelihood = django_filters.NumberFilter(widget=forms.HiddenInput)
    inherent_impact = django_filters.NumberFilter(widget=forms.HiddenInput)

    class Meta:
        model = RiskScenario
        fields = [
            "domain",
            "ai_system",
            "team",
            "treatment",
            "band",
            "expiring",
            "appetite",
            "likelihood",
            "impact",
            "inherent_likelihood",
            "inherent_impact",
        ]

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["ai_system"].queryset = AISystem.objects.for_org(org).order_by("name")
        self.filters["team"].queryset = Team.objects.for_org(org)

    def filter_team(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(owner_team=value) | Q(cosigning_team=value)) if value else queryset

    def filter_appetite(self, queryset, name, value):
        """What readiness calls "above appetite" (the risk gate): residual score 10 or more
        (high or critical) and not accepted."""
        from .models import Acceptance

        if value not in ("security", "safety"):
            return queryset
        high = queryset.alias_score().filter(score__gte=BANDS["high"][0], domain__in=[value, "both"])
        return high.exclude(acceptance=Acceptance.ACCEPTED)

    def filter_band(self, queryset, name, value):
        if value not in BANDS:
            return queryset
        lo, hi = BANDS[value]
        return queryset.alias_score().filter(score__gte=lo, score__lte=hi)

    def filter_expiring(self, queryset, name, value):
        if not value:
            return queryset
        import datetime as dt

        from django.utils import timezone

        from .models import Acceptance

        today = timezone.localdate()
        return queryset.filter(
            acceptance=Acceptance.ACCEPTED,
            acceptance_until__gte=today,
            acceptance_until__lte=today + dt.timedelta(days=30),
        )
