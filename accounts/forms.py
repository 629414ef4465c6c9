from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

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


class VersionedFormMixin(forms.Form):
    """A hidden `version`, so a save from a stale page is detected instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UniqueNameInOrgMixin:
    """`name` is unique in the organisation, ignoring case (the database enforces it too)."""

    unique_name_message = _("This name is taken in your organisation.")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        model = self._meta.model
        clash = model.objects.filter(organisation=self.org, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(self.unique_name_message)
        return name


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Short name"), max_length=60, help_text=_("Lower-case letters, digits and hyphens; used in addresses.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if Organisation.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This short name is taken; choose another."))
        return slug


class OrganisationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "readiness_threshold",
            "assessment_cadence_days",
            "threat_model_cadence_days",
            "red_team_cadence_days",
            "alignment_review_cadence_days",
            "tabletop_cadence_days",
            "require_two_factor",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Organisation"), "name", "readiness_threshold"),
            Fieldset(
                _("Review cadences"),
                Row(Column("assessment_cadence_days"), Column("threat_model_cadence_days")),
                Row(Column("red_team_cadence_days"), Column("alignment_review_cadence_days")),
                Row(Column("tabletop_cadence_days"), Column()),
            ),
            Fieldset(_("Sign-in"), "require_two_factor"),
            "version",
        )


class MemberInviteForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[RegexValidator(r"^[\w.@+-]+\Z", _("Letters, digits and @/./+/-/_ only."))],
        help_text=_("An existing account is added as it is; otherwise a new account is created."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text=_(
            "Admins manage everything; leads approve and govern; members work on what their teams own; "
            "auditors and viewers read."
        ),
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["teams"].queryset = Team.objects.for_org(org)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Account"), "username", "email", Row(Column("first_name"), Column("last_name"))),
            Fieldset(_("Access"), "role", "teams"),
        )

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("username")
        if username:
            existing = User.objects.filter(username__iexact=username).first()
            if existing and existing.memberships.filter(organisation=self.org).exists():
                self.add_error("username", _("This person is already a member."))
            elif not existing and not cleaned.get("email"):
                self.add_error("email", _("A new account needs an e-mail address for its set-password link."))
        return cleaned


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.for_org(org)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TeamForm(UniqueNameInOrgMixin, VersionedFormMixin, forms.ModelForm):
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
        self.fields["lead"].queryset = users
        self.fields["members"].queryset = users
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.values_list("pk", flat=True))
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
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
