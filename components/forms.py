from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.forms import RetireForm, VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from .bom import MAX_BYTES
from .models import KIND_FIELDS, SUPPLIER_LABELS, Approval, Component, DatasetUse, Kind


class ComponentForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """One form for every kind: it shows the common fields and the kind's own (KIND_FIELDS), and
    checks them with the model's per-kind rules."""

    dataset_uses = forms.MultipleChoiceField(
        label=_("Used for"), choices=DatasetUse.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    model_card_url = forms.URLField(label=_("Model card"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Component
        fields = [
            "name",
            "release",
            "supplier",
            "licence",
            "provenance",
            "weights_location",
            "model_card_url",
            "personal_data",
            "dataset_uses",
            "can_change",
            "requires_confirmation",
            "endpoint",
            "scopes",
            "owner_team",
            "description",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "can_change": forms.Textarea(attrs={"rows": 3}),
            "scopes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, org, kind: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        used = {"name", "owner_team", "description", "version", *KIND_FIELDS[kind]}
        for name in list(self.fields):
            if name not in used:
                del self.fields[name]
        cast(forms.ModelChoiceField, self.fields["owner_team"]).queryset = Team.objects.for_org(org)
        self.fields["supplier"].label = capfirst(SUPPLIER_LABELS[Kind(kind)])
        if kind == Kind.DATASET:
            self.fields["supplier"].help_text = _("Where the data comes from: a vendor, a public set, our own records.")
            self.fields["personal_data"].help_text = _("Anything that identifies a person, directly or not.")
        if kind == Kind.MCP_SERVER:
            self.fields["endpoint"].help_text = _("Its URL, or how it is started (for example “stdio: npx server”).")
        if kind == Kind.SERVICE:
            self.fields["endpoint"].help_text = _("The address the system calls, if any.")
        self.helper = form_helper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        candidate = Component(kind=self.kind, **{k: v for k, v in cleaned.items() if k in KIND_FIELDS[self.kind]})
        for name, message in candidate.problems().items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def component_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in self.fields and k != "version"}


class ComponentRetireForm(RetireForm):
    help = _("It leaves the system's components and exports; its history stays readable.")


class DecisionForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    """Approve, reject, revoke or propose again, from the version the reviewer saw."""

    action = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject or revoke: say why."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ProfileSuggestionForm(forms.Form):
    flag = forms.CharField()
    version = forms.IntegerField(min_value=1)


class BomImportForm(forms.Form):
    file = forms.FileField(
        label=_("CycloneDX BOM (JSON)"),
        help_text=_("CycloneDX 1.5, 1.6 or 1.7 JSON, at most %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ComponentFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *Kind.choices], required=False)
    approval = forms.ChoiceField(label=_("Approval"), choices=[("", _("Any")), *Approval.choices], required=False)
