"""Forms of the assessment workflow: start, one questionnaire section, the plan, submit, review."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.choices import Domain
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin
from governance.models import Practice

from .. import questionnaire as q
from ..models import AssessmentStatus, ReviewDecision
from ..plan import Plan, PlanItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SMALL_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class AssessmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *AssessmentStatus.choices])


class AssessmentStartForm(forms.Form):
    due_date = forms.DateField(
        label=_("Complete by"),
        widget=DATE,
        help_text=_("When the controls should be in place and the assessment approved. Assignments get this date."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = timezone.localdate() + dt.timedelta(days=90)
        self.helper = form_helper()

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("Choose a date from today on."))
        return due


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def version_field(key: str) -> str:
    return f"v__{key}"


def original_field(key: str) -> str:
    return f"o__{key}"


@dataclass
class QuestionRow:
    """One question as the page shows it: its field and the hidden version and original value."""

    question: q.Question
    field: forms.BoundField
    version: forms.BoundField
    original: forms.BoundField
    prefilled: bool


class SectionForm(HiddenCharacterCheckMixin, forms.Form):
    """The questions of one section. Each question also carries, hidden, the version of its
    answer and the value the page showed: a save then tells a change the user made from a change
    someone else made meanwhile (see services.assessments.answers_save).

    No field is required here: answers save as the user goes, so a half-answered section saves
    what it has. Completeness is checked when the questionnaire is completed.
    """

    def __init__(
        self,
        *args,
        section: q.Section,
        values: dict[str, Any],
        versions: dict[str, int],
        prefilled: Collection[str] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.section = section
        self.prefilled = prefilled
        for question in section.questions:
            value = values.get(question.key)
            self.fields[question.key] = self._field(question, value)
            # Absent means "unanswered when the page loaded" (version 0).
            self.fields[version_field(question.key)] = forms.IntegerField(
                widget=forms.HiddenInput, min_value=0, required=False, initial=versions.get(question.key, 0)
            )
            self.fields[original_field(question.key)] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=json.dumps(value)
            )

    @staticmethod
    def _field(question: q.Question, value: Any) -> forms.Field:
        common: dict[str, Any] = {"label": question.text, "help_text": question.why, "required": False}
        if question.kind == "text":
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, initial=value, **common)
        if question.kind == "yesno":
            initial = None if value is None else ("yes" if value else "no")
            return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, initial=initial, **common)
        if question.kind == "multi":
            return forms.MultipleChoiceField(
                choices=question.choices, widget=forms.CheckboxSelectMultiple, initial=value, **common
            )
        return forms.ChoiceField(choices=question.choices, widget=forms.RadioSelect, initial=value, **common)

    def rows(self) -> list[QuestionRow]:
        return [
            QuestionRow(
                qn,
                self[qn.key],
                self[version_field(qn.key)],
                self[original_field(qn.key)],
                qn.key in self.prefilled,
            )
            for qn in self.section.questions
        ]

    def answers(self) -> dict[str, Any]:
        """The cleaned answers, in the types they are stored as."""
        values: dict[str, Any] = {}
        for question in self.section.questions:
            raw: Any = self.cleaned_data.get(question.key)
            if question.kind == "yesno":
                values[question.key] = {"yes": True, "no": False}.get(raw)
            elif question.kind == "multi":
                order = [c for c, _label in question.choices]
                values[question.key] = sorted(raw or [], key=order.index)
            elif question.kind == "text":
                values[question.key] = (raw or "").strip()
            else:
                values[question.key] = raw or None
        return values

    def versions(self) -> dict[str, int]:
        return {qn.key: self.cleaned_data.get(version_field(qn.key)) or 0 for qn in self.section.questions}

    def originals(self) -> dict[str, Any]:
        """The values the page showed when it loaded (what the user started from)."""
        shown = {}
        for qn in self.section.questions:
            try:
                shown[qn.key] = json.loads(self.cleaned_data.get(original_field(qn.key)) or "null")
            except ValueError:
                shown[qn.key] = None
        return shown


class TeamIdField(forms.Field):
    """A team chosen by id among `teams` (posted as a hidden value). Lighter than a ChoiceField:
    a plan builds one or two per control, and ChoiceField normalises its choices each time."""

    widget = forms.HiddenInput
    default_error_messages = {"invalid_choice": _("Choose one of the organisation's teams.")}

    def __init__(self, *, teams: dict, **kwargs):
        super().__init__(**kwargs)
        self.teams = teams

    def to_python(self, value) -> str:
        return "" if value in self.empty_values else str(value)

    def validate(self, value) -> None:
        super().validate(value)
        if value and value not in self.teams:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


@dataclass
class PlanRow:
    """One new control of the plan as the page shows it: its owners as names, not as widgets."""

    item: PlanItem
    practice: str
    owner_name: str
    owner_value: str
    cosign_name: str | None  # None: the control needs no co-signature
    cosign_value: str
    errors: list[str]

    @property
    def routed(self) -> bool:
        """The owner is the one the routing gave (so the page can say why)."""
        return self.owner_value == str(getattr(self.item.route.team, "pk", ""))


class PlanForm(VersionedFormMixin, forms.Form):
    """Confirm the plan: owners of the new controls (pre-set from the routing) and their due date.

    Each new control posts its owner (and co-signing team) as a hidden value; the page shows
    them as names. To change owners a lead ticks rows and applies one team to them (`apply`),
    which re-shows the plan with the new owners; confirming then creates the assignments. A
    drop-down per row (two for 400 controls of 50 teams: 40,000 options) made the page slow to
    render, send and use.
    """

    system_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    due_date = forms.DateField(
        label=_("Due date of the new assignments"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    bulk_owner = forms.ChoiceField(label=_("Owner team"), required=False, widget=SMALL_SELECT)
    bulk_cosign = forms.ChoiceField(label=_("Co-signing team"), required=False, widget=SMALL_SELECT)

    def __init__(self, data=None, *args, plan: Plan, system_version: int, version: int, due_date, **kwargs):
        self.applying = data is not None and "apply" in data
        if self.applying:
            data = self._apply(data)
        super().__init__(data, *args, **kwargs)
        self.plan = plan
        self.teams = {str(t.pk): t for t in plan.teams}
        choices = [("", "—"), *((pk, t.name) for pk, t in self.teams.items())]
        self.fields["version"].initial = version
        self.fields["system_version"].initial = system_version
        self.fields["due_date"].initial = due_date
        for name in ("bulk_owner", "bulk_cosign"):
            cast(forms.ChoiceField, self.fields[name]).choices = choices
        self.team_choices = choices[1:]
        for item in plan.new:
            pk = item.control.pk
            self.fields[f"owner_{pk}"] = TeamIdField(teams=self.teams, initial=getattr(item.route.team, "pk", None))
            if item.control.domain == Domain.BOTH:
                self.fields[f"cosign_{pk}"] = TeamIdField(
                    teams=self.teams, required=False, initial=getattr(item.route.cosigning_team, "pk", None)
                )

    @property
    def bulk_fields(self) -> list:
        """The shared owner and co-signer controls (rendered by the page from `team_choices`)."""
        return [self["bulk_owner"], self["bulk_cosign"]]

    @staticmethod
    def _apply(data):
        """The posted owners with the chosen teams set on the ticked rows (`pick`: control ids)."""
        data = data.copy()
        for pk in data.getlist("pick"):
            if not pk.isdigit():
                continue
            for bulk, prefix in (("bulk_owner", "owner_"), ("bulk_cosign", "cosign_")):
                if data.get(bulk) and f"{prefix}{pk}" in data:
                    data[f"{prefix}{pk}"] = data[bulk]
        data.setlist("pick", [])
        return data

    @cached_property
    def rows(self) -> list[PlanRow]:
        """The new controls with the owners currently chosen (posted, or the routed ones)."""
        rows = []
        practices = {value: str(label) for value, label in Practice.choices}
        for item in self.plan.new:
            pk = item.control.pk
            owner = self[f"owner_{pk}"]
            cosign = self[f"cosign_{pk}"] if f"cosign_{pk}" in self.fields else None
            owner_value = str(owner.value() or "")
            cosign_value = str(cosign.value() or "") if cosign else ""
            rows.append(
                PlanRow(
                    item=item,
                    practice=practices.get(item.control.practice, item.control.practice),
                    owner_name=getattr(self.teams.get(owner_value), "name", ""),
                    owner_value=owner_value,
                    cosign_name=getattr(self.teams.get(cosign_value), "name", "") if cosign else None,
                    cosign_value=cosign_value,
                    errors=[str(e) for e in [*owner.errors, *(cosign.errors if cosign else [])]],
                )
            )
        return rows

    def clean(self):
        cleaned = super().clean()
        for item in self.plan.new:
            owner, cosign = cleaned.get(f"owner_{item.control.pk}"), cleaned.get(f"cosign_{item.control.pk}")
            if cosign and cosign == owner:
                self.add_error(f"cosign_{item.control.pk}", _("The co-signing team must differ from the owner."))
        return cleaned

    def owners(self) -> dict[int, tuple[Team, Team | None]]:
        def team(name):
            return self.teams.get(self.cleaned_data.get(name) or "")

        return {
            item.control.pk: (team(f"owner_{item.control.pk}"), team(f"cosign_{item.control.pk}"))
            for item in self.plan.new
        }


class SubmitForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note for the reviewer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Anything the reviewing lead should look at first."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ReviewForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you request changes: say what has to change."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == ReviewDecision.CHANGES_REQUESTED and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Say what has to change."))
        return cleaned
