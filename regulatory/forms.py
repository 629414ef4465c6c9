from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from .models import Applicability, FundamentalRightsAssessment, TechnicalFile


def _texts(names, rows=4):
    return {name: forms.Textarea(attrs={"rows": rows}) for name in names}


class FRIAForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """The seven questions of the fundamental-rights impact assessment (pre-filled when started)."""

    class Meta:
        model = FundamentalRightsAssessment
        fields = ["title", *FundamentalRightsAssessment.TEXT_FIELDS]
        widgets = _texts(FundamentalRightsAssessment.TEXT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def record_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TechnicalFileForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """The provider's statements for the Annex IV draft; every field may stay empty for now (it
    is then listed as missing in the draft)."""

    class Meta:
        model = TechnicalFile
        fields = TechnicalFile.TEXT_FIELDS
        widgets = _texts(TechnicalFile.TEXT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def statements(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SoADecisionForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    applicability = forms.ChoiceField(label=_("Applicability"), choices=Applicability.choices, widget=forms.RadioSelect)
    justification = forms.CharField(
        label=_("Justification"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why it is included or excluded. Required when excluded."),
    )

    def __init__(self, *args, decision=None, **kwargs):
        super().__init__(*args, **kwargs)
        if decision is None:
            self.fields["version"].required = False
        else:
            self.fields["version"].initial = decision.version
            self.fields["applicability"].initial = decision.applicability
            self.fields["justification"].initial = decision.justification
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if data.get("applicability") == Applicability.EXCLUDED and not (data.get("justification") or "").strip():
            self.add_error("justification", _("Say why the item is excluded."))
        return data
