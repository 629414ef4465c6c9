from __future__ import annotations

from crispy_forms.layout import Column, Fieldset, Row
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from assessments.forms.assignments import EvidenceForm
from core.forms import VersionedFormMixin, form_helper
from core.forms_hidden import HiddenCharacterCheckMixin

from .models import AlignmentFinding, AlignmentReview, Decision, EvaluationMetric, ScopeArea, required_areas

DATE = forms.DateInput(attrs={"type": "date"})
# How many conditions the decision page offers at once (more can follow as follow-ups).
CONDITION_SLOTS = 3

# Attachments take what control evidence takes: a checked file, a link or a note.
AttachmentForm = EvidenceForm


class ReviewForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    scope_areas = forms.MultipleChoiceField(
        label=_("Scope areas"),
        choices=ScopeArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = AlignmentReview
        fields = ["title", "scope_areas", "method", "datasets"]
        widgets = {"method": forms.Textarea(attrs={"rows": 4}), "datasets": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required_areas(system)
        labels = dict(ScopeArea.choices)
        if self.required:
            self.fields["scope_areas"].help_text = _("Required by the system's profile: %(areas)s.") % {
                "areas": "; ".join(f"{labels[a]} ({', '.join(why)})" for a, why in self.required.items())
            }
        else:
            self.fields["scope_areas"].help_text = _("Preselected from the system's profile; none is required.")
        self.helper = form_helper()

    def clean_scope_areas(self):
        areas = self.cleaned_data["scope_areas"]
        missing = [a for a in self.required if a not in areas]
        if missing:
            labels = dict(ScopeArea.choices)
            raise forms.ValidationError(
                _("The system's profile requires: %(areas)s.") % {"areas": ", ".join(str(labels[a]) for a in missing)}
            )
        return [a for a in ScopeArea.values if a in areas]  # stored in a fixed order

    def record_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class _ChildForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.ModelForm):
    """A metric or finding of a review: the scope area is one of the review's."""

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ScopeArea.choices)
        self.fields["scope_area"].choices = [(a, labels[a]) for a in review.scope_areas if a in labels]
        self.helper = form_helper()

    def child_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class MetricForm(_ChildForm):
    class Meta:
        model = EvaluationMetric
        fields = ["scope_area", "name", "dataset", "value", "comparison", "threshold", "unit"]
        help_texts = {"name": _("For example “demographic parity difference” or “refusal rate on harmful requests”.")}


class FindingForm(_ChildForm):
    class Meta:
        model = AlignmentFinding
        fields = ["scope_area", "title", "severity", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class DecisionForm(HiddenCharacterCheckMixin, VersionedFormMixin, forms.Form):
    """The reviewer's decision, with up to CONDITION_SLOTS conditions when approving with
    conditions: each has what it asks for, a due date and (optionally) the team that owns it."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting: say why."),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.for_org(org)
        people = get_user_model().objects.filter(memberships__organisation=org, is_active=True).order_by("username")
        for n in range(1, CONDITION_SLOTS + 1):
            self.fields[f"condition_{n}"] = forms.CharField(
                label=_("Condition %(n)s") % {"n": n}, required=False, max_length=200
            )
            self.fields[f"condition_{n}_due"] = forms.DateField(label=_("Due date"), required=False, widget=DATE)
            self.fields[f"condition_{n}_team"] = forms.ModelChoiceField(
                label=_("Owner team"),
                queryset=teams,
                required=False,
                help_text=_("Empty: the team that owns safety."),
            )
            self.fields[f"condition_{n}_assignee"] = forms.ModelChoiceField(
                label=_("Assignee"), queryset=people, required=False
            )
        rows = [
            Row(
                Column(f"condition_{n}", css_class="col-md-5"),
                Column(f"condition_{n}_due", css_class="col-md-2"),
                Column(f"condition_{n}_team", css_class="col-md-3"),
                Column(f"condition_{n}_assignee", css_class="col-md-2"),
            )
            for n in range(1, CONDITION_SLOTS + 1)
        ]
        self.helper = form_helper(
            "decision",
            "text",
            Fieldset(_("Conditions (with “Approved with conditions”)"), *rows),
            "version",
        )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for n in range(1, CONDITION_SLOTS + 1):
            title, due = (data.get(f"condition_{n}") or "").strip(), data.get(f"condition_{n}_due")
            if title and not due:
                self.add_error(f"condition_{n}_due", _("A condition needs a due date."))
            elif due and not title:
                self.add_error(f"condition_{n}", _("Say what the condition asks for."))
            elif due and due < today:
                self.add_error(f"condition_{n}_due", _("The due date has passed."))
        decision = data.get("decision")
        if decision == Decision.REJECTED and not (data.get("text") or "").strip():
            self.add_error("text", _("Say why it is rejected."))
        if decision == Decision.APPROVED_WITH_CONDITIONS and not self.conditions_given(data):
            self.add_error("condition_1", _("An approval with conditions needs at least one condition."))
        if decision and decision != Decision.APPROVED_WITH_CONDITIONS and self.conditions_given(data):
            self.add_error("decision", _("Conditions go with an approval with conditions."))
        return data

    @staticmethod
    def conditions_given(data) -> bool:
        return any((data.get(f"condition_{n}") or "").strip() for n in range(1, CONDITION_SLOTS + 1))

    def conditions(self) -> list:
        from .services import Condition

        data = self.cleaned_data
        return [
            Condition(
                title=data[f"condition_{n}"].strip(),
                due_date=data[f"condition_{n}_due"],
                owner_team=data[f"condition_{n}_team"],
                assignee=data[f"condition_{n}_assignee"],
            )
            for n in range(1, CONDITION_SLOTS + 1)
            if data.get(f"condition_{n}", "").strip()
        ]
