from __future__ import annotations

import re
from typing import cast

from crispy_forms.layout import Column, Row
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from governance.models import AISystem

from .models import IncidentResponsePlan, NotificationKind, PlanRoleKind, Playbook, TabletopExercise

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"})
# A phone number as people write it: an optional +, digits and the usual separators, 6–15 digits.
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]*$")


def validate_phone(value: str) -> str:
    value = value.strip()
    digits = sum(c.isdigit() for c in value)
    if value and (not PHONE.match(value) or not 6 <= digits <= 15):
        raise forms.ValidationError(_("Enter a phone number: digits with an optional leading +, 6 to 15 digits."))
    return value


def table_formset_helper():
    """Crispy renders a formset of small rows as one table (with its management form)."""
    helper = form_helper()
    helper.template = "bootstrap5/table_inline_formset.html"
    return helper


def members_of(org):
    return User.objects.filter(memberships__organisation=org, is_active=True).order_by("username")


class PlanForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """The plan's own fields. On create it also asks for the primary system; on edit the primary
    system stays (it frames the plan's pages) and only the other covered systems change."""

    class Meta:
        model = IncidentResponsePlan
        fields = ["ai_system", "title", "systems", "scope", "escalation_path"]
        labels = {"ai_system": _("Primary system"), "systems": _("Also covers")}
        help_texts = {
            "ai_system": _("The system whose page the plan sits under; its owner team maintains the plan."),
            "systems": _("Other AI systems this plan covers. Playbooks are suggested from all their profiles."),
        }
        widgets = {
            "systems": forms.SelectMultiple(attrs={"size": 6}),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "escalation_path": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        active = AISystem.objects.for_org(org).filter(retired_at=None).order_by("name")
        self.fields["systems"].queryset = active
        self.fields["systems"].required = False
        if self.instance.pk:
            del self.fields["ai_system"]
            self.fields["systems"].queryset = active.exclude(pk=self.instance.ai_system_id)
            self.initial["systems"] = [s for s in self.initial.get("systems", []) if s != self.instance.ai_system_id]
        else:
            self.fields["ai_system"].queryset = active
        self.helper = form_helper()

    def record_data(self) -> dict:
        return {n: self.cleaned_data[n] for n in ("title", "scope", "escalation_path")}


class SeverityLevelForm(HiddenCharacterCheckMixin, forms.Form):
    name = forms.CharField(label=_("Level"), max_length=60)
    criteria = forms.CharField(label=_("When it applies"), max_length=500, required=False)
    respond_within_minutes = forms.IntegerField(label=_("Respond within (minutes)"), min_value=1, max_value=43200)
    update_every_minutes = forms.IntegerField(label=_("Update every (minutes)"), min_value=1, max_value=43200)


BLANK = [("", "---------")]


class NotificationForm(HiddenCharacterCheckMixin, forms.Form):
    # A blank first choice, so the empty extra row stays unchanged (and is skipped) until filled in.
    kind = forms.ChoiceField(label=_("Notification"), choices=[*BLANK, *NotificationKind.choices])
    recipient = forms.CharField(label=_("To whom"), max_length=200)
    trigger = forms.CharField(label=_("When it is required"), max_length=500, required=False)
    deadline_hours = forms.IntegerField(label=_("Deadline (hours)"), min_value=1, max_value=8760)
    owner_role = forms.ChoiceField(label=_("Sent by"), choices=[*BLANK, *PlanRoleKind.choices])


class RowFormSet(forms.BaseFormSet):
    """A formset of plain rows stored as a JSON list: blank extra rows and deleted rows drop out."""

    def rows(self) -> list[dict]:
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def hidden_text_decisions(self) -> list[dict]:
        return [
            {**decision, "field": f"{form.prefix}-{decision['field']}"}
            for form in self.forms
            for decision in getattr(form, "hidden_text_decisions", [])
        ]


SeverityFormSet = cast(
    type[RowFormSet],
    forms.formset_factory(
        SeverityLevelForm, formset=RowFormSet, extra=1, can_delete=True, max_num=10, validate_max=True
    ),
)
NotificationFormSet = cast(
    type[RowFormSet],
    forms.formset_factory(
        NotificationForm, formset=RowFormSet, extra=1, can_delete=True, max_num=10, validate_max=True
    ),
)


class RoleForm(HiddenCharacterCheckMixin, forms.Form):
    """One role's contact: a member, or an external contact with a phone number or an e-mail."""

    role = forms.ChoiceField(choices=PlanRoleKind.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    member = forms.ModelChoiceField(label=_("Member"), queryset=User.objects.none(), required=False)
    name = forms.CharField(label=_("Or an external contact"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        if org is not None:
            self.fields["member"].queryset = members_of(org)
        self.helper = form_helper(
            "role",
            "version",
            Row(Column("member", css_class="col-md-4"), Column("name", css_class="col-md-8")),
            Row(Column("email"), Column("phone"), Column("notes")),
        )
        self.helper.render_unmentioned_fields = True  # the strip-or-keep choices for hidden characters
        role = self.initial.get("role") or self.data.get(f"{self.prefix}-role")
        self.role_label = dict(PlanRoleKind.choices).get(role, role)

    def clean_phone(self):
        return validate_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        data = super().clean()
        member, name = data.get("member"), (data.get("name") or "").strip()
        if member and name:
            raise forms.ValidationError(_("Choose a member or name an external contact, not both."))
        if name and not (data.get("email") or data.get("phone")):
            self.add_error("phone", _("An external contact needs a phone number or an e-mail address."))
        if not member and not name and (data.get("email") or data.get("phone")):
            self.add_error("name", _("Say who the contact is."))
        return data

    def row(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "version": data.get("version"),
            "member": data.get("member"),
            "name": (data.get("name") or "").strip(),
            "email": data.get("email") or "",
            "phone": data.get("phone") or "",
            "notes": data.get("notes") or "",
        }


class BaseRoleFormSet(forms.BaseFormSet):
    def __init__(self, *args, org, **kwargs):
        self.org = org
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "org": self.org}

    def clean(self):
        """One form per role, each role once (a tampered post could repeat one)."""
        super().clean()
        roles = [form.cleaned_data.get("role") for form in self.forms if hasattr(form, "cleaned_data")]
        if sorted(r for r in roles if r) != sorted(PlanRoleKind.values):
            raise forms.ValidationError(_("Reload the page: each role is listed once."))

    def hidden_text_decisions(self) -> list[dict]:
        return RowFormSet.hidden_text_decisions(self)  # type: ignore[arg-type]  # same shape of forms


RoleFormSet = cast(type[BaseRoleFormSet], forms.formset_factory(RoleForm, formset=BaseRoleFormSet, extra=0))


class PlaybookForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Playbook
        fields = ["title", "domain", "detection", "technical_steps", "communication_steps"]
        widgets = {
            "detection": forms.Textarea(attrs={"rows": 2}),
            "technical_steps": forms.Textarea(attrs={"rows": 6}),
            "communication_steps": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def playbook_data(self) -> dict:
        return {n: self.cleaned_data[n] for n in self.Meta.fields}


class TemplatesForm(forms.Form):
    templates = forms.MultipleChoiceField(label=_("Templates"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["templates"].choices = choices
        self.helper = form_helper()


class TabletopForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = TabletopExercise
        fields = [
            "title",
            "held_on",
            "playbook",
            "scenario",
            "participants",
            "external_participants",
            "timeline",
            "went_well",
            "went_badly",
        ]
        widgets = {
            "held_on": DATE,
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.SelectMultiple(attrs={"size": 5}),
            "external_participants": forms.Textarea(attrs={"rows": 2}),
            "timeline": forms.Textarea(attrs={"rows": 5}),
            "went_well": forms.Textarea(attrs={"rows": 3}),
            "went_badly": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["playbook"].queryset = Playbook.objects.filter(plan=plan).order_by("pk")
        self.fields["participants"].queryset = members_of(plan.organisation)
        self.helper = form_helper()

    def record_data(self) -> dict:
        return {n: self.cleaned_data[n] for n in self.Meta.fields if n != "participants"}

    def record_m2m(self) -> dict:
        return {"participants": list(self.cleaned_data["participants"])}
