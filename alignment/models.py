"""Alignment reviews of AI systems (practice `alignment_review`, domain safety): a governed record
(records.models) with its evaluation metrics, findings, evidence attachments and, when approved
with conditions, the follow-ups those conditions became."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.assignment import EvidenceFields
from governance.applicability import evaluate
from records.models import FollowUp, GovernedRecord, RecordStatus
from threats.models import Severity


class ScopeArea(models.TextChoices):
    VALUE_ALIGNMENT = "value_alignment", _("Value alignment and intended behaviour")
    BIAS_FAIRNESS = "bias_fairness", _("Bias and fairness")
    UNSAFE_CONTENT = "unsafe_content", _("Unsafe content, including self-harm")
    HALLUCINATION = "hallucination", _("Hallucination and groundedness")
    REWARD_HACKING = "reward_hacking", _("Reward hacking and specification gaming")
    AUTONOMY = "autonomy", _("Autonomy limits and runaway behaviour")
    CBRNE = "cbrne", _("CBRNE uplift")


@dataclass(frozen=True)
class AreaSpec:
    """What the profile says about one scope area. Rules use the library's applicability grammar
    (governance.applicability), so they read like the controls' `applies_when`."""

    required_when: Any = None  # the area must be in scope when this holds
    suggested_when: Any = None  # preselected on a new review when this holds
    concerns: tuple[str, ...] = ()  # library controls with these concerns inform the area
    practice: str = ""  # …or library controls of this practice (CBRNE: the frontier-safety set)


AREAS: dict[str, AreaSpec] = {
    ScopeArea.VALUE_ALIGNMENT: AreaSpec(suggested_when="always", concerns=("misalignment",)),
    ScopeArea.BIAS_FAIRNESS: AreaSpec(
        required_when={"flag": "decides_about_people"}, concerns=("automated_decision_ethics",)
    ),
    ScopeArea.UNSAFE_CONTENT: AreaSpec(
        required_when={"flag": "vulnerable_users"}, concerns=("unsafe_or_biased_output",)
    ),
    ScopeArea.HALLUCINATION: AreaSpec(suggested_when={"flag": "generates_text"}, concerns=("hallucination",)),
    ScopeArea.REWARD_HACKING: AreaSpec(
        required_when={"any": [{"flag": "uses_reinforcement_learning"}, {"field": "system_type", "in": ["rl_agent"]}]},
        concerns=("reward_hacking",),
    ),
    # Agents acting on their own: a person at most watches (on the loop) or nobody routinely checks.
    ScopeArea.AUTONOMY: AreaSpec(
        required_when={"field": "autonomy", "in": ["human_on_loop", "autonomous"]},
        concerns=("autonomous_agent_risk",),
    ),
    ScopeArea.CBRNE: AreaSpec(required_when={"flag": "dual_use_capability"}, practice="frontier_safety"),
}


def required_areas(system) -> dict[str, list[str]]:
    """The scope areas the system's profile makes required, each with the profile facts why."""
    profile = system.profile()
    found = {}
    for area, spec in AREAS.items():
        if spec.required_when is not None and (match := evaluate(spec.required_when, profile)).applies:
            found[str(area)] = match.reasons
    return found


def areas_from_profile(system) -> list[str]:
    """The areas a new review of the system starts with: the required ones and the suggested ones."""
    profile = system.profile()
    required = required_areas(system)
    return [
        str(area)
        for area, spec in AREAS.items()
        if area in required or (spec.suggested_when is not None and evaluate(spec.suggested_when, profile).applies)
    ]


def area_labels(values) -> list[str]:
    labels = dict(ScopeArea.choices)
    return [str(labels.get(v, v)) for v in values]


class ReviewStatus(models.TextChoices):
    """The shared record states plus `rejected`, where a rejected version ends."""

    DRAFT = RecordStatus.DRAFT.value, RecordStatus.DRAFT.label
    IN_REVIEW = RecordStatus.IN_REVIEW.value, RecordStatus.IN_REVIEW.label
    CHANGES_REQUESTED = RecordStatus.CHANGES_REQUESTED.value, RecordStatus.CHANGES_REQUESTED.label
    APPROVED = RecordStatus.APPROVED.value, RecordStatus.APPROVED.label
    REJECTED = "rejected", _("Rejected")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    REJECTED = "rejected", _("Rejected")


class AlignmentReview(GovernedRecord):
    status = models.CharField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    scope_areas = models.JSONField(_("scope areas"), default=list, blank=True)
    method = models.TextField(
        _("method"),
        max_length=8000,
        help_text=_("How the system was evaluated: setting, who judged, what was sampled."),
    )
    datasets = models.TextField(
        _("datasets and benchmarks"), max_length=4000, blank=True, help_text=_("One per line, with version or date.")
    )
    decision = models.CharField(_("decision"), max_length=30, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    AUDITED_FIELDS = [
        "scope_areas",
        "method",
        "datasets",
        "decision",
        "decided_by",
        *GovernedRecord.RECORD_AUDITED_FIELDS,
        "is_latest",
        "version",
    ]
    COMPARE_FIELDS = ["title", "method", "datasets"]
    CADENCE_FIELD = "alignment_review_cadence_days"
    COPY_EXCLUDE = GovernedRecord.COPY_EXCLUDE | {"decision", "decided_by", "decided_at"}
    FINAL_STATES = frozenset({ReviewStatus.APPROVED, ReviewStatus.REJECTED})
    scope_labels = property(lambda self: area_labels(self.scope_areas))

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["ai_system", "is_latest"], name="alignment_system_idx"),
            models.Index(fields=["ai_system", "status", "decided_at"], name="alignment_decided_idx"),
        ]

    def missing_required_areas(self) -> dict[str, list[str]]:
        """Required areas (from the system's profile as it is now) left out of the scope."""
        return {a: why for a, why in required_areas(self.ai_system).items() if a not in self.scope_areas}

    def compare_state(self) -> dict[str, object]:
        state = super().compare_state()
        state[str(_("scope areas"))] = area_labels(self.scope_areas)
        state[str(_("metrics"))] = [m.summary() for m in self.metrics.all()]
        state[str(_("findings"))] = [f.summary() for f in self.findings.all()]
        return state

    def copy_children(self, new) -> list:
        """Metrics, findings and attachments carry over to the next version; conditions belong to
        the decision on this version and stay with it."""
        copies = []
        for related in (self.metrics, self.findings):
            for child in related.all():
                child.pk, child.review, child.version = None, new, 1
                child.save()
                copies.append(child)
        for attachment in self.attachments.all():
            attachment.pk, attachment.review = None, new
            attachment.save()
        return copies


class Comparison(models.TextChoices):
    AT_MOST = "le", _("≤ at most")
    AT_LEAST = "ge", _("≥ at least")


SYMBOLS = {Comparison.AT_MOST: "≤", Comparison.AT_LEAST: "≥"}


def failing(prefix: str = "") -> models.Q:
    """Metrics whose value is on the wrong side of their threshold: the rule of `passes`, for
    aggregates in SQL (`prefix` "metrics__" counts a review's failing metrics)."""
    at_most = {f"{prefix}comparison": Comparison.AT_MOST, f"{prefix}value__gt": models.F(f"{prefix}threshold")}
    at_least = {f"{prefix}comparison": Comparison.AT_LEAST, f"{prefix}value__lt": models.F(f"{prefix}threshold")}
    return models.Q(**at_most) | models.Q(**at_least)


def plain(number: Decimal) -> str:
    """0.1400 → "0.14", 99.0000 → "99" (never "1E+2")."""
    return format(number.normalize(), "f")


def metric_passes(value: Decimal, comparison: str, threshold: Decimal) -> bool:
    return value <= threshold if comparison == Comparison.AT_MOST else value >= threshold


class EvaluationMetric(models.Model):
    """One measured result: for example demographic parity difference 0.14 ≤ 0.10 (fails)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(AlignmentReview, on_delete=models.CASCADE, related_name="metrics")
    scope_area = models.CharField(_("scope area"), max_length=30, choices=ScopeArea.choices)
    name = models.CharField(_("metric"), max_length=200)
    dataset = models.CharField(_("dataset or benchmark"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    comparison = models.CharField(_("passes when the value is"), max_length=2, choices=Comparison.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For example %, or empty for a ratio."))
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = ["scope_area", "name", "dataset", "value", "comparison", "threshold", "unit", "version"]

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def passes(self) -> bool:
        return metric_passes(self.value, self.comparison, self.threshold)

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(Comparison(self.comparison), self.comparison)

    def summary(self) -> str:
        verdict = _("passes") if self.passes else _("fails")
        return f"{self.name}: {self.shown_value} {self.symbol} {self.shown_threshold} ({verdict})"

    @property
    def shown_value(self) -> str:
        return plain(self.value) + self.unit

    @property
    def shown_threshold(self) -> str:
        return plain(self.threshold) + self.unit


class AlignmentFinding(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(AlignmentReview, on_delete=models.CASCADE, related_name="findings")
    scope_area = models.CharField(_("scope area"), max_length=30, choices=ScopeArea.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what was observed"), max_length=8000, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = ["scope_area", "title", "description", "severity", "version"]

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def summary(self) -> str:
        return f"{self.title} ({self.get_severity_display()}, {self.get_scope_area_display()})"


class ReviewAttachment(EvidenceFields):
    """Evidence of the evaluation: a file (checked as control evidence is), a link or a note.
    Never changed; a new version of the review points to the same stored file."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(AlignmentReview, on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        ordering = ["pk"]


class ReviewCondition(models.Model):
    """A condition of an approval: the follow-up (owned work with a due date) it became. Written
    once, with the decision, in the same transaction; never changed (the follow-up is)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(AlignmentReview, on_delete=models.CASCADE, related_name="conditions")
    follow_up = models.OneToOneField(FollowUp, on_delete=models.PROTECT, related_name="alignment_condition")

    AUDITED_FIELDS = ["review", "follow_up"]

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.follow_up)
