from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.choices import Domain
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from core.rendering import FastSelect
from governance.models import AISystem, Control, Threat
from records.forms import FollowUpForm
from response.models import IncidentResponsePlan, Playbook
from risks.models import RiskScenario

from .models import Incident, IncidentSeverity, IncidentStatus

# Entered and shown in the user's own time zone (accounts.profiles.TimeZoneMiddleware).
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class IncidentForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """Report (or correct) an incident: the intent triage's two questions decide its domain."""

    class Meta:
        model = Incident
        fields = [
            "title",
            "description",
            "detected_at",
            "systems",
            "severity",
            "hostile_intent",
            "harm_in_benign_use",
            "owner_team",
            "cosigning_team",
            "plan",
            "playbook",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "detected_at": WHEN,
            "systems": forms.SelectMultiple(attrs={"size": 5}),
        }
        help_texts = {
            "detected_at": _("In your time zone."),
            "systems": _("Every AI system it affected (at least one)."),
            "hostile_intent": _("Yes → a security incident."),
            "harm_in_benign_use": _("Yes → a safety incident. Both yes → both domains, with two teams."),
            "owner_team": _("Empty: routed to the team that owns the domain's incident response."),
            "cosigning_team": _("Only for incidents of both domains; empty: routed."),
            "plan": _("The approved incident-response plan the responders follow."),
            "playbook": _("The plan's playbook for this type of incident (choosing one is enough)."),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["systems"].queryset = AISystem.objects.for_org(org).filter(retired_at__isnull=True).order_by("name")
        self.fields["owner_team"].queryset = Team.objects.for_org(org)
        self.fields["owner_team"].required = False
        self.fields["cosigning_team"].queryset = Team.objects.for_org(org)
        self.fields["plan"].queryset = (
            IncidentResponsePlan.objects.for_org(org).filter(status="approved").order_by("title", "-record_version")
        )
        self.fields["playbook"].queryset = (
            Playbook.objects.filter(organisation=org, plan__status="approved")
            .select_related("plan")
            .order_by("plan__title", "-plan__record_version", "title")
        )
        self.fields["playbook"].label_from_instance = lambda p: f"{p.plan}: {p.title}"
        self.fields["detected_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        if not self.instance.pk:
            self.fields["detected_at"].initial = _now_local()
        self.helper = form_helper()

    def incident_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields and k != "systems"}


class IncidentActionForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    action = forms.CharField(max_length=40)
    at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=WHEN,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Empty: now."),
    )
    text = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TimelineEntryForm(HiddenCharacterCheckMixin, forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=WHEN,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone."),
    )
    text = forms.CharField(label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = _now_local()
        self.helper = form_helper()


class ReviewForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """The post-incident review: cause, lessons, and the library and register records involved."""

    class Meta:
        model = Incident
        fields = ["root_cause", "went_well", "went_badly", "threats", "controls", "risks"]
        widgets = {
            "root_cause": forms.Textarea(attrs={"rows": 4}),
            "went_well": forms.Textarea(attrs={"rows": 3}),
            "went_badly": forms.Textarea(attrs={"rows": 3}),
            "threats": forms.SelectMultiple(attrs={"size": 6}),
            "controls": forms.SelectMultiple(attrs={"size": 6}),
            "risks": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].required = True
        self.fields["threats"].queryset = Threat.objects.for_org(org).order_by("ref")
        self.fields["controls"].queryset = Control.objects.for_org(org).active().order_by("ref")
        self.fields["risks"].queryset = (
            RiskScenario.objects.for_org(org).latest().select_related("ai_system").order_by("ai_system__name", "title")
        )
        self.fields["risks"].label_from_instance = lambda r: f"{r.ai_system.name}: {r.title}"
        self.helper = form_helper()

    def review_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("root_cause", "went_well", "went_badly")}


class IncidentFollowUpForm(FollowUpForm):
    """A follow-up of the shared kind (records.forms), for one of the incident's systems."""

    ai_system = forms.ModelChoiceField(label=_("For the system"), queryset=AISystem.objects.none())

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, org=incident.organisation, **kwargs)
        self.fields["ai_system"].queryset = incident.systems.order_by("name")
        self.order_fields(["ai_system"])


class IncidentFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(label=_("Domain"), choices=Domain.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=IncidentSeverity.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices)
    system = django_filters.ModelChoiceFilter(
        label=_("System"),
        queryset=AISystem.objects.none(),
        field_name="systems",
        widget=FastSelect(label_field="name"),  # every system of the organisation
    )

    class Meta:
        model = Incident
        fields = ["domain", "severity", "status", "system"]

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["system"].queryset = AISystem.objects.for_org(org).order_by("name")
