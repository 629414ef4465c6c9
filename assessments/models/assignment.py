"""Controls applied to an AI system, owned by a team, worked, evidenced and verified."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from core.choices import Domain
from governance.models import AISystem, Control

from .assessment import Assessment


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    VERIFIED = "verified", _("Verified")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# Decided: nothing more to do until something changes. A not-applicable claim counts only once a
# lead has approved it.
DECIDED = Q(status=AssignmentStatus.VERIFIED) | Q(status=AssignmentStatus.NOT_APPLICABLE, na_approved_at__isnull=False)
OPEN = Q(retired_at__isnull=True) & ~DECIDED  # active and still to do


class ControlAssignmentQuerySet(models.QuerySet):
    def for_org(self, org: Organisation) -> ControlAssignmentQuerySet:
        return self.filter(organisation=org)

    def active(self) -> ControlAssignmentQuerySet:
        return self.filter(retired_at__isnull=True)

    def decided(self) -> ControlAssignmentQuerySet:
        return self.filter(DECIDED)

    def undecided(self) -> ControlAssignmentQuerySet:
        return self.exclude(DECIDED)

    def overdue(self, today: dt.date | None = None) -> ControlAssignmentQuerySet:
        return self.undecided().filter(due_date__lt=today or timezone.localdate())

    def for_teams(self, team_ids) -> ControlAssignmentQuerySet:
        """Assignments a team owns or co-signs."""
        return self.filter(Q(owner_team_id__in=team_ids) | Q(cosigning_team_id__in=team_ids))


class ControlAssignment(models.Model):
    Status = AssignmentStatus

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="control_assignments")
    ai_system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="control_assignments")
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="assignments")
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="created_assignments",
        help_text=_("The assessment whose plan created this assignment."),
    )
    owner_team = models.ForeignKey(
        Team, verbose_name=_("owner team"), on_delete=models.PROTECT, related_name="owned_assignments"
    )
    cosigning_team = models.ForeignKey(
        Team,
        verbose_name=_("co-signing team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cosigned_assignments",
        help_text=_("For controls that are both security and safety: the team whose sign-off verification needs."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="control_assignments",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus, default=AssignmentStatus.NOT_STARTED
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    implemented_at = models.DateTimeField(null=True, blank=True)
    # Verification is a sign-off by a lead; a control of domain `both` also needs the sign-off
    # of its co-signing team. The status becomes `verified` once every sign-off it needs is in.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    justification = models.TextField(_("why it does not apply"), blank=True)
    na_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    na_proposed_at = models.DateTimeField(null=True, blank=True)
    na_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    na_approved_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by_assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="retired_assignments"
    )
    retirement_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ControlAssignmentQuerySet.as_manager()

    AUDITED_FIELDS = [
        "status",
        "owner_team",
        "cosigning_team",
        "assignee",
        "due_date",
        "implemented_by",
        "verified_by",
        "cosigned_by",
        "justification",
        "na_proposed_by",
        "na_approved_by",
        "retired_at",
        "retirement_reason",
        "version",
    ]

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ai_system", "control"],
                condition=Q(retired_at__isnull=True),
                name="assignment_unique_active_control",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "owner_team", "status"], name="assignment_team_status_idx"),
            models.Index(fields=["organisation", "cosigning_team", "status"], name="assignment_cosign_idx"),
            models.Index(fields=["ai_system", "retired_at", "status"], name="assignment_system_idx"),
            # My work (a member whose teams hold ~36,000 assignments at scale 1; EXPLAIN ANALYZE in
            # docs/performance.md). The page's rows: active assignments in the order of the
            # default list, with every column its filters and the open test read, so the first
            # rows come from the index in order, without a sort and without the table.
            models.Index(
                fields=["organisation", "due_date", "id", "owner_team", "cosigning_team", "status", "na_approved_at"],
                condition=Q(retired_at__isnull=True),
                name="assignment_active_due_idx",
            ),
            # Its count: the rows a team owns plus those it only co-signs, each from one index.
            models.Index(
                fields=["owner_team", "organisation", "status", "na_approved_at", "cosigning_team"],
                condition=Q(retired_at__isnull=True),
                name="assignment_active_owner_idx",
            ),
            models.Index(
                fields=["cosigning_team", "organisation", "status", "na_approved_at", "owner_team"],
                condition=Q(retired_at__isnull=True),
                name="assignment_active_cosign_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control.ref} on {self.ai_system}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assignment_detail", args=[self.organisation.slug, self.pk])

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def needs_cosign(self) -> bool:
        return self.control.domain == Domain.BOTH

    @property
    def is_decided(self) -> bool:
        if self.status == AssignmentStatus.VERIFIED:
            return True
        return self.status == AssignmentStatus.NOT_APPLICABLE and self.na_approved_at is not None

    @property
    def na_pending(self) -> bool:
        return self.status == AssignmentStatus.NOT_APPLICABLE and self.na_approved_at is None

    def days_overdue(self, today: dt.date | None = None) -> int:
        """Days past the due date while undecided; 0 when not overdue."""
        if self.due_date is None or self.is_decided or self.is_retired:
            return 0
        return max(((today or timezone.localdate()) - self.due_date).days, 0)


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random name with the validated extension: the uploader's name never reaches the disk."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"evidence/{instance.organisation_id}/{uuid.uuid4().hex}{suffix}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")
    NOTE = "note", _("Note")


class EvidenceFields(models.Model):
    """An uploaded file (checked by `evidence.validate_upload`, stored under a random name), a link
    or a note: what `evidence.store` fills and `evidence.download` serves. Control evidence and
    records' attachments share these fields."""

    kind = models.CharField(max_length=10, choices=EvidenceKind)
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=200)
    original_filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    link = models.URLField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_filename or self.link or self.note[:60]

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or timezone.localdate())


class Evidence(EvidenceFields):
    """Proof that a control is in place: an uploaded file, a link or a note. Never deleted."""

    Kind = EvidenceKind

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="evidence")
    assignment = models.ForeignKey(ControlAssignment, on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "evidence"


class Comment(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(ControlAssignment, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]
