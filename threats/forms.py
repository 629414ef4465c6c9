from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import ControlAssignment
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from governance.models import Surface, Threat

from .models import RedTeamExercise, RedTeamFinding, ThreatEntry, ThreatModel


class ThreatModelForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    surfaces = forms.MultipleChoiceField(
        label=_("Attack surfaces"),
        choices=Surface.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Preselected from the system's profile."),
    )

    class Meta:
        model = ThreatModel
        fields = ["title", "scope", "architecture", "data_flows", "surfaces"]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 3}),
            "architecture": forms.Textarea(attrs={"rows": 4}),
            "data_flows": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def record_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EntryForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    mitigations = forms.ModelMultipleChoiceField(
        label=_("Mitigating controls"),
        queryset=ControlAssignment.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Control assignments of this system. Missing one? Raise a follow-up from the threat model."),
    )

    class Meta:
        model = ThreatEntry
        fields = [
            "threat",
            "title",
            "description",
            "surface",
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
            "mitigations",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, threat_model, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threat"].queryset = Threat.objects.for_org(threat_model.organisation).active().order_by("ref")
        self.fields["threat"].required = False
        self.fields["surface"].required = False
        self.fields["mitigations"].queryset = (
            ControlAssignment.objects.filter(ai_system=threat_model.ai_system).active().select_related("control")
        )
        self.fields["mitigations"].label_from_instance = lambda a: f"{a.control.ref} {a.control.title}"
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if not data.get("threat") and not (data.get("title") or "").strip():
            raise forms.ValidationError(_("Pick a library threat or name a custom one."))
        if not data.get("threat") and not data.get("surface"):
            self.add_error("surface", _("Say which attack surface a custom threat uses."))
        return data

    def entry_data(self) -> dict:
        return {n: self.cleaned_data[n] for n in self.Meta.fields if n != "mitigations"}


class SuggestForm(forms.Form):
    threats = forms.ModelMultipleChoiceField(
        queryset=Threat.objects.none(), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args, suggested, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threats"].queryset = Threat.objects.filter(pk__in=[t.pk for t in suggested])


# --- Red-team exercises -------------------------------------------------------------------------


class ExerciseForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    surfaces = forms.MultipleChoiceField(
        label=_("In-scope surfaces"), choices=Surface.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    M2M = ("also_in_scope", "participants", "threats_tried", "techniques")

    class Meta:
        model = RedTeamExercise
        fields = [
            "title",
            "objectives",
            "scope",
            "surfaces",
            "also_in_scope",
            "starts_on",
            "ends_on",
            "team",
            "participants",
            "threats_tried",
            "techniques",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "also_in_scope": forms.SelectMultiple(attrs={"size": 4}),
            "participants": forms.SelectMultiple(attrs={"size": 4}),
            "threats_tried": forms.SelectMultiple(attrs={"size": 6}),
            "techniques": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, org, system, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        from accounts.models import Team
        from governance.models import AISystem, FrameworkItem

        self.fields["also_in_scope"].queryset = AISystem.objects.for_org(org).exclude(pk=system.pk).order_by("name")
        self.fields["team"].queryset = Team.objects.for_org(org)
        self.fields["participants"].queryset = (
            get_user_model().objects.filter(memberships__organisation=org).order_by("username")
        )
        self.fields["threats_tried"].queryset = Threat.objects.for_org(org).active().order_by("ref")
        self.fields["techniques"].queryset = (
            FrameworkItem.objects.filter(framework__organisation__isnull=True, retired_at__isnull=True)
            .filter(Q(framework__key__startswith="mitre-atlas") | Q(framework__key__startswith="owasp"))
            .select_related("framework")
            .order_by("framework__key", "position")
        )
        self.fields["techniques"].label_from_instance = lambda i: f"{i.framework.key}:{i.ref} {i.title[:80]}"
        self.helper = form_helper()

    def record_data(self) -> dict:
        return {n: self.cleaned_data[n] for n in self.Meta.fields if n not in self.M2M}

    def record_m2m(self) -> dict:
        return {n: list(self.cleaned_data[n]) for n in self.M2M}


class FindingForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = RedTeamFinding
        fields = [
            "title",
            "severity",
            "hostile_intent",
            "harm_in_benign_use",
            "reproduction",
            "prompt",
            "output",
            "threat",
            "control",
            "status",
            "retest_on",
            "retest_result",
        ]
        widgets = {
            "reproduction": forms.Textarea(attrs={"rows": 3}),
            "prompt": forms.Textarea(attrs={"rows": 3}),
            "output": forms.Textarea(attrs={"rows": 3}),
            "retest_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threat"].queryset = Threat.objects.for_org(org).active().order_by("ref")
        from governance.models import Control

        self.fields["control"].queryset = Control.objects.for_org(org).active().order_by("ref")
        self.helper = form_helper()

    def finding_data(self) -> dict:
        return {n: self.cleaned_data[n] for n in self.Meta.fields}


IMPORT_FORMATS = [
    ("csv", _("CSV (Bastion's columns)")),
    ("garak", _("garak report (garak.<run>.report.jsonl)")),
    ("promptfoo", _("promptfoo results (promptfoo eval --output results.json)")),
]


class ImportForm(forms.Form):
    format = forms.ChoiceField(label=_("File format"), choices=IMPORT_FORMATS, initial="csv", required=False)
    file = forms.FileField(
        label=_("File of findings"),
        help_text=_("UTF-8. CSV: at most 1 MB and 1000 rows. Scanner files: at most 10 MB and 1000 failing checks."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
