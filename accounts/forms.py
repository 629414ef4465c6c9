import zoneinfo
from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.forms import UniqueNameInOrgMixin, VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from .models import Organisation, Role, Team

User = get_user_model()


def org_users(org: Organisation):
    return User.objects.filter(memberships__organisation=org, is_active=True).order_by("username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        full = user.get_full_name()
        return f"{full} ({user.username})" if full else user.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        full = user.get_full_name()
        return f"{full} ({user.username})" if full else user.username


class OrganisationCreateForm(HiddenCharacterCheckMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Short name"), max_length=60, help_text=_("Lower-case letters, digits and hyphens; used in addresses.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if Organisation.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This short name is taken; choose another."))
        return slug


class OrganisationForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "readiness_threshold",
            "assessment_cadence_days",
            "threat_model_cadence_days",
            "red_team_cadence_days",
            "alignment_review_cadence_days",
            "ir_plan_cadence_days",
            "tabletop_cadence_days",
            "require_two_factor",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.helper = form_helper(
            Fieldset(_("Organisation"), "name", "readiness_threshold"),
            Fieldset(
                _("Review cadences"),
                Row(Column("assessment_cadence_days"), Column("threat_model_cadence_days")),
                Row(Column("red_team_cadence_days"), Column("alignment_review_cadence_days")),
                Row(Column("ir_plan_cadence_days"), Column("tabletop_cadence_days")),
            ),
            Fieldset(_("Sign-in"), "require_two_factor"),
            "version",
        )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["teams"]).queryset = Team.objects.for_org(org)
        self.helper = form_helper()


class TeamForm(HiddenCharacterCheckMixin, UniqueNameInOrgMixin, VersionedFormMixin, forms.ModelForm):
    lead = UserChoiceField(label=_("Team lead"), queryset=User.objects.none(), required=False)
    unique_name_message = _("A team with this name exists already.")
    members = UserMultipleChoiceField(
        label=_("Members"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Team
        fields = ["name", "discipline", "description", "lead"]

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        users = org_users(org)
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = users
        cast(forms.ModelMultipleChoiceField, self.fields["members"]).queryset = users
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.values_list("pk", flat=True))
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False
        self.helper = form_helper(
            Fieldset(_("Team"), "name", "discipline", "description"),
            Fieldset(_("People"), "lead", "members"),
            "version",
        )

    def clean(self):
        cleaned = super().clean()
        lead, members = cleaned.get("lead"), cleaned.get("members")
        if lead and members is not None and lead not in members:
            cleaned["members"] = [*members, lead]  # the lead belongs to the team they lead
        return cleaned


class InvitationForm(MembershipForm):
    """Whom to invite. It never checks whether an account exists: the answer is the same either way."""

    invitee = forms.CharField(
        label=_("E-mail address or username"),
        max_length=254,
        help_text=_(
            "We e-mail an invitation: to this address, or to the address of the account with this username. "
            "The person becomes a member when they accept it."
        ),
    )
    field_order = ["invitee", "role", "teams"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Role.MEMBER
        self.fields["role"].help_text = _(
            "Admins manage everything; leads approve and govern; members work on what their teams own; "
            "auditors and viewers read."
        )

    def clean_invitee(self):
        invitee = self.cleaned_data["invitee"].strip()
        if "@" in invitee:
            forms.EmailField().clean(invitee)
        else:
            RegexValidator(r"^[\w.@+-]+\Z", _("A username has letters, digits and @/./+/-/_ only."))(invitee)
        return invitee


class AcceptWithNewAccountForm(UserCreationForm):
    """The invitee's own account: they choose the username and the password."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False


def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times on every page are shown in this zone."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]

    def __init__(self, *args, time_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["time_zone"].initial = time_zone or settings.TIME_ZONE
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("first_name"), Column("last_name")), "email", "time_zone")
