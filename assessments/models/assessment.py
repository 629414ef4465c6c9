"""An assessment of one AI system: the risk-context questionnaire, then the review of its controls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from governance.models import AISystem


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Questionnaire open")
    IN_PROGRESS = "in_progress", _("Controls being worked")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


class AssessmentQuerySet(models.QuerySet):
    def for_org(self, org: Organisation) -> AssessmentQuerySet:
        return self.filter(organisation=org)

    def open(self) -> AssessmentQuerySet:
        return self.exclude(status=AssessmentStatus.APPROVED)


class Assessment(models.Model):
    """One round of assessing a system. At most one round per system is open at a time.

    `draft`: the questionnaire is being answered; completing it shows the control plan, and
    confirming the plan creates the control assignments (`in_progress`). When every assignment
    is decided a lead submits (`in_review`); another lead approves (`approved`, locked) or
    requests changes (`changes_requested`, worked like `in_progress` and submitted again).
    """

    Status = AssessmentStatus

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    ai_system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="assessments")
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The assessment this one started from."),
    )
    status = models.CharField(_("status"), max_length=20, choices=AssessmentStatus, default="draft")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    plan_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_confirmed_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submit_note = models.TextField(_("note for the reviewer"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AssessmentQuerySet.as_manager()

    AUDITED_FIELDS = ["status", "due_date", "previous", "version"]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ai_system"], condition=~Q(status="approved"), name="assessment_one_open_per_system"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="assessment_status_idx")]

    def __str__(self) -> str:
        return f"Assessment {self.pk} of {self.ai_system}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_detail", args=[self.organisation.slug, self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def is_working(self) -> bool:
        """Controls are being worked: the plan is confirmed and the assessment is not under review."""
        return self.status in (AssessmentStatus.IN_PROGRESS, AssessmentStatus.CHANGES_REQUESTED)

    @property
    def is_locked(self) -> bool:
        return self.status == AssessmentStatus.APPROVED


class AssessmentAnswer(models.Model):
    """One answer to one question, versioned on its own: two people answering different
    questions never conflict, two people changing the same answer do."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=60)
    value = models.JSONField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["assessment", "question"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="answer_unique_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question} = {self.value!r}"


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class Review(models.Model):
    """A reviewer's decision on a submitted assessment; every round is kept."""

    Decision = ReviewDecision

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ReviewDecision)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer}"
