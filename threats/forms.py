from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import ControlAssignment
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from governance.models import Surface, Threat

from .models import ThreatEntry, ThreatModel


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
