"""Forms of the assessment workflow: start, one questionnaire section, the plan, submit, review."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.choices import Domain
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from .. import questionnaire as q
from ..models import AssessmentStatus, ReviewDecision
from ..plan import Plan

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


class PlanForm(VersionedFormMixin, forms.Form):
    """Confirm the plan: owners of the new controls (pre-set from the routing) and their due date.

    The team choices come with the plan (read once for routing) and are shared by every row.
    """

    system_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    due_date = forms.DateField(
        label=_("Due date of the new assignments"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, plan: Plan, system_version: int, version: int, due_date, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.teams = {str(t.pk): t for t in plan.teams}
        choices = [("", "—"), *((pk, t.name) for pk, t in self.teams.items())]
        self.fields["version"].initial = version
        self.fields["system_version"].initial = system_version
        self.fields["due_date"].initial = due_date
        self.rows = []
        for item in plan.new:
            pk = item.control.pk
            self.fields[f"owner_{pk}"] = forms.ChoiceField(
                label=_("Owner of %(ref)s") % {"ref": item.control.ref},
                choices=choices,
                initial=getattr(item.route.team, "pk", None),
                widget=SMALL_SELECT,
            )
            cosign = None
            if item.control.domain == Domain.BOTH:
                self.fields[f"cosign_{pk}"] = forms.ChoiceField(
                    label=_("Co-signing team of %(ref)s") % {"ref": item.control.ref},
                    choices=choices,
                    initial=getattr(item.route.cosigning_team, "pk", None),
                    widget=SMALL_SELECT,
                )
                cosign = self[f"cosign_{pk}"]
            self.rows.append((item, self[f"owner_{pk}"], cosign))

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
