"""Forms for working on assignments: lifecycle actions, edits, evidence, comments, the work list."""

from __future__ import annotations

import datetime as dt
from typing import cast

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChoiceField
from accounts.models import Organisation, Team
from core.choices import Domain
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from core.rendering import FastSelect
from governance.models import AISystem, Practice

from ..evidence import allowed_extensions, max_bytes, validate_upload
from ..models import DECIDED, AssignmentStatus, ControlAssignment
from ..workflow import ASSIGNMENT, QUICK_ACTIONS
from .assessments import DATE

User = get_user_model()


class ActionForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    action = forms.ChoiceField(choices=[(t.name, t.label) for t in ASSIGNMENT.transitions])
    text = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentEditForm(VersionedFormMixin, forms.ModelForm):
    """Members reassign within the owner team and set the due date; leads may also move the
    assignment to another team."""

    assignee = UserChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)

    class Meta:
        model = ControlAssignment
        fields = ["assignee", "due_date", "owner_team", "cosigning_team"]
        widgets = {"due_date": DATE}

    def __init__(self, *args, org: Organisation, can_change_owner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        members = self.instance.owner_team.members.filter(is_active=True).order_by("username")
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = members
        if can_change_owner:
            teams = Team.objects.for_org(org)
            cast(forms.ModelChoiceField, self.fields["owner_team"]).queryset = teams
            self.fields["owner_team"].help_text = _("The assignee is cleared when they are not in the new team.")
            if self.instance.needs_cosign:
                cast(forms.ModelChoiceField, self.fields["cosigning_team"]).queryset = teams
                self.fields["cosigning_team"].required = True
            else:
                del self.fields["cosigning_team"]
        else:
            del self.fields["owner_team"]
            del self.fields["cosigning_team"]
        self.helper = form_helper()

    def changes(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        owner = data.get("owner_team")
        if owner and data.get("assignee") and not owner.members.filter(pk=data["assignee"].pk).exists():
            data["assignee"] = None  # moved to a team the assignee is not in
        return data


class HttpURLField(forms.URLField):
    default_validators = [URLValidator(schemes=["http", "https"])]


class EvidenceForm(HiddenCharacterCheckMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Up to %(size)s MB. Accepted: %(types)s.")
        % {"size": max_bytes() // (1024 * 1024), "types": allowed_extensions()},
    )
    link = HttpURLField(
        label=_("or a link"),
        required=False,
        max_length=500,
        help_text=_("To a ticket, a dashboard, a document store…"),
        assume_scheme="https",
    )
    note = forms.CharField(
        label=_("or a note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done and where it can be checked."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("For evidence that expires, such as a test report or a certificate."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return validate_upload(upload) if upload else None

    def clean_valid_until(self):
        until = self.cleaned_data.get("valid_until")
        if until and until < timezone.localdate():
            raise forms.ValidationError(_("This date has passed: the evidence would be expired already."))
        return until

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("file", "link", "note") if cleaned.get(name)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(_("Give exactly one piece of evidence: a file, a link or a note."))
        return cleaned


class CommentForm(HiddenCharacterCheckMixin, forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


DUE_CHOICES = [
    ("overdue", _("Overdue")),
    ("week", _("Due within 7 days")),
    ("month", _("Due within 30 days")),
    ("none", _("No due date")),
]


class AssignmentFilter(django_filters.FilterSet):
    """Filters of assignment lists; they live in the URL so a view can be bookmarked."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            ("open", _("Open (not decided)")),
            *AssignmentStatus.choices,
            ("na_pending", _("Awaiting n/a approval")),
        ],
        method="filter_status",
        empty_label=_("Any"),
    )
    domain = django_filters.ChoiceFilter(
        label=_("Domain"), choices=Domain.choices, field_name="control__domain", empty_label=_("Any")
    )
    practice = django_filters.ChoiceFilter(
        label=_("Practice"), choices=Practice.choices, field_name="control__practice", empty_label=_("Any")
    )

    class Meta:
        model = ControlAssignment
        fields = ["status", "domain", "practice"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.exclude(DECIDED)
        if value == "na_pending":
            return queryset.filter(status=AssignmentStatus.NOT_APPLICABLE, na_approved_at__isnull=True)
        return queryset.filter(status=value)


class WorkFilter(AssignmentFilter):
    """*My team's work*: also by system, due date and assignee."""

    system = django_filters.ModelChoiceFilter(
        label=_("AI system"),
        field_name="ai_system",
        queryset=AISystem.objects.none(),
        empty_label=_("Any"),
        widget=FastSelect(label_field="name"),  # every system of the organisation: a thousand options
    )
    due = django_filters.ChoiceFilter(label=_("Due"), choices=DUE_CHOICES, method="filter_due", empty_label=_("Any"))
    mine = django_filters.ChoiceFilter(
        label=_("Assignee"),
        choices=[("me", _("Assigned to me")), ("unassigned", _("Unassigned"))],
        method="filter_mine",
        empty_label=_("Anyone"),
    )

    class Meta:
        model = ControlAssignment
        fields = ["status", "domain", "system", "due", "mine"]

    def __init__(self, data=None, *args, org: Organisation, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        cast(django_filters.ModelChoiceFilter, self.filters["system"]).queryset = AISystem.objects.for_org(org).active()
        del self.filters["practice"]  # the work list is about systems and dates, not practices

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "none":
            return queryset.filter(due_date__isnull=True)
        days = 7 if value == "week" else 30
        return queryset.exclude(DECIDED).filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=days))

    def filter_mine(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.user)
        return queryset.filter(assignee__isnull=True)


class BulkForm(forms.Form):
    """Several assignments at once: each selected row posts `id:version`."""

    selected = forms.MultipleChoiceField(
        choices=(), required=True, error_messages={"required": _("Select rows first.")}
    )
    action = forms.ChoiceField(
        label=_("Move to"),
        required=False,
        choices=[("", _("Keep status")), *((k, ASSIGNMENT[k].label) for k in QUICK_ACTIONS)],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    assignee = UserChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Keep assignee"),
        widget=FastSelect(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, team_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Any "id:version" pair is acceptable here; the view fetches the ids through the tenant.
        self.fields["selected"].valid_value = lambda value: True
        # People of the member's teams; each row still checks the assignee is in its owner team.
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = (
            User.objects.filter(teams__in=team_ids, is_active=True).distinct().order_by("username")
        )

    def clean_selected(self):
        pairs = {}
        for raw in self.cleaned_data["selected"]:
            pk, _sep, version = raw.partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise forms.ValidationError(_("The selection is malformed; reload the page."))
            pairs[int(pk)] = int(version)
        return pairs

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("action", "due_date", "assignee")) and not self.errors:
            raise forms.ValidationError(_("Choose a status, a due date or an assignee to apply."))
        return cleaned
