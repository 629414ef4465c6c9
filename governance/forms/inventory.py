from typing import cast

from crispy_forms.layout import HTML, Column, Div, Fieldset, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from core.forms import RetireForm, UniqueNameInOrgMixin, VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from ..models import CAPABILITY_FLAGS, AISystem
from ..profile import profile_problems


class AISystemForm(HiddenCharacterCheckMixin, UniqueNameInOrgMixin, VersionedFormMixin, forms.ModelForm):
    """The profile of an AI system. It decides which controls apply, so every field says why it matters."""

    unique_name_message = _("Another AI system is already called this; names must be unique.")

    class Meta:
        model = AISystem
        fields = AISystem.EDITABLE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "lifecycle_stage": _("Where it is now. Controls are worked on from design onwards."),
            "system_type": _("Pick the closest. An agent is a model that calls tools or takes actions."),
        }

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        cast(forms.ModelChoiceField, self.fields["owner_team"]).queryset = Team.objects.for_org(org)
        for name, (_label, why) in CAPABILITY_FLAGS.items():
            self.fields[name].help_text = why
        self.helper = form_helper(
            Fieldset(_("The system"), "name", "description", Row(Column("owner_team"), Column("lifecycle_stage"))),
            Fieldset(
                _("Model"),
                Row(Column("system_type"), Column("provenance")),
                "model_details",
            ),
            Fieldset(_("Who can reach it and how much it does alone"), Row(Column("exposure"), Column("autonomy"))),
            Fieldset(
                _("Capabilities"),
                HTML('<p class="form-text mt-0">{}</p>'.format(_("Tick everything that is true today."))),
                Div(*CAPABILITY_FLAGS, css_class="capability-grid"),
            ),
            Fieldset(_("EU AI Act"), Row(Column("eu_ai_act_tier"), Column("operator_role"))),
            "version",
        )

    def clean(self):
        cleaned = super().clean()
        for field, messages in profile_problems(cleaned).items():
            for message in messages:
                self.add_error(field, message)
        return cleaned

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AISystemRetireForm(RetireForm):
    help = _("Auditors read this later. The system stays in the inventory with its full history.")
