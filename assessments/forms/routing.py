"""The ownership-rule form."""

from __future__ import annotations

from typing import cast

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from core.choices import Domain
from core.forms import VersionedFormMixin, form_helper

from ..models import OwnershipRule


class OwnershipRuleForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = OwnershipRule
        fields = ["domain", "practice", "team", "cosigning_team"]

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        teams = Team.objects.for_org(org)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams
        cast(forms.ModelChoiceField, self.fields["cosigning_team"]).queryset = teams
        practice = cast(forms.ChoiceField, self.fields["practice"])
        practice.choices = [
            ("", _("Any practice (the domain's default)")),
            # A model field's choices read back as a list; the stubs give the getter the setter's type.
            *practice.choices[1:],  # type: ignore[index,misc]
        ]
        if self.instance.pk:
            # Domain and practice are what the rule is about; to route something else, add a rule.
            self.fields["domain"].disabled = self.fields["practice"].disabled = True
        self.helper = form_helper(
            Row(Column("domain"), Column("practice")), Row(Column("team"), Column("cosigning_team")), "version"
        )

    def clean(self):
        cleaned = super().clean()
        domain = cleaned.get("domain")
        if domain == Domain.BOTH:
            if not cleaned.get("cosigning_team"):
                self.add_error("cosigning_team", _("Controls of both domains need a co-signing team."))
            elif cleaned.get("cosigning_team") == cleaned.get("team"):
                self.add_error("cosigning_team", _("The co-signing team must differ from the owner team."))
        elif domain:
            cleaned["cosigning_team"] = None
        if not self.instance.pk and domain:
            clash = OwnershipRule.objects.filter(
                organisation=self.org, domain=domain, practice=cleaned.get("practice", "")
            )
            if clash.exists():
                raise forms.ValidationError(_("A rule for this domain and practice exists already; edit it instead."))
        return cleaned

    def rule_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ("domain", "practice", "team", "cosigning_team")}
