from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from governance.models import Control

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"})


class RecordActionForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    action = forms.CharField(max_length=40)
    text = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VersionOnlyForm(VersionedFormMixin, forms.Form):
    pass


class FollowUpForm(HiddenCharacterCheckMixin, forms.Form):
    control = forms.ModelChoiceField(
        label=_("Library control"),
        queryset=Control.objects.none(),
        required=False,
        help_text=_("Becomes a control assignment of this system, routed to its owning team."),
    )
    title = forms.CharField(
        label=_("Or a free-text action"), max_length=200, required=False, help_text=_("What has to be done.")
    )
    owner_team = forms.ModelChoiceField(
        label=_("Owner team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Empty: the team that owns the record's domain."),
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["control"].queryset = Control.objects.for_org(org).active().order_by("ref")
        self.fields["owner_team"].queryset = Team.objects.for_org(org)
        self.fields["assignee"].queryset = User.objects.filter(memberships__organisation=org, is_active=True).order_by(
            "username"
        )
        self.helper = form_helper()

    def clean(self):
        data = super().clean()
        if bool(data.get("control")) == bool((data.get("title") or "").strip()):
            raise forms.ValidationError(_("Choose a library control or describe an action, not both."))
        return data
