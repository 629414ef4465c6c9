"""The shared shape of every governed record (risk scenarios, threat models, red-team exercises…)
and the follow-up actions they raise.

`GovernedRecord` is abstract: each record type is a concrete model in its own app (`risks`, …)
that inherits the lifecycle fields, the version chain and the review cadence from here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from governance.models import AISystem, Control


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


EDITABLE = frozenset({RecordStatus.DRAFT, RecordStatus.CHANGES_REQUESTED})


class GovernedRecordQuerySet(models.QuerySet):
    def for_org(self, org: Organisation):
        return self.filter(organisation=org)

    def latest(self):
        """The newest version of each record (older versions stay readable through `previous`)."""
        return self.filter(is_latest=True)

    def overdue(self, today: dt.date | None = None):
        return self.filter(next_review_due__lt=today or timezone.localdate())


class GovernedRecord(models.Model):
    """Lifecycle, authorship, version chain and review cadence shared by every record type.

    A record type sets `CADENCE_FIELD` (the organisation's cadence setting in days) or overrides
    `cadence_days()`, and may override `editing_team_ids()`, `compare_state()` and
    `copy_children()`.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ai_system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="+", verbose_name=_("AI system"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    # Versions: every version of one record shares `series`; `previous` is the version it copied.
    series = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    record_version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version", editable=False
    )
    is_latest = models.BooleanField(default=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = GovernedRecordQuerySet.as_manager()

    # Fields every record type audits; a type adds its own in front.
    RECORD_AUDITED_FIELDS = [
        "title",
        "status",
        "record_version",
        "author",
        "submitted_by",
        "approved_by",
        "review_comment",
        "next_review_due",
    ]
    CADENCE_FIELD = "assessment_cadence_days"
    # The states a version ends in; the next version starts from the latest one in such a state
    # (a type with a decision such as "rejected" adds it here).
    FINAL_STATES: frozenset[str] = frozenset({RecordStatus.APPROVED})
    COPY_EXCLUDE = frozenset(
        {
            "id",
            "status",
            "series",
            "record_version",
            "previous",
            "is_latest",
            "author",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "review_comment",
            "next_review_due",
            "created_at",
            "updated_at",
            "version",
        }
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.title} (v{self.record_version})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_approved(self) -> bool:
        return self.status == RecordStatus.APPROVED

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATES

    def cadence_days(self) -> int:
        return getattr(self.organisation, self.CADENCE_FIELD)

    def review_due_from(self, when: dt.datetime) -> dt.date:
        return timezone.localdate(when) + dt.timedelta(days=self.cadence_days())

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.next_review_due is not None and self.next_review_due < (today or timezone.localdate())

    def editing_team_ids(self) -> set[int]:
        """Teams whose members may edit and submit this record (leads always may)."""
        return {self.ai_system.owner_team_id}

    def compare_state(self) -> dict[str, object]:
        """What a side-by-side comparison shows: label → text, or label → list of lines."""
        state: dict[str, object] = {}
        for name in self.COMPARE_FIELDS:  # type: ignore[attr-defined]
            field: Any = self._meta.get_field(name)  # a concrete field: these are the audited ones
            if field.many_to_many:
                state[str(field.verbose_name)] = sorted(str(o) for o in getattr(self, name).all())
            elif getattr(field, "choices", None):
                state[str(field.verbose_name)] = getattr(self, f"get_{name}_display")()
            else:
                value = getattr(self, name)
                state[str(field.verbose_name)] = "" if value is None else str(value)
        return state

    def copy_children(self, new) -> list:
        """Copy the rows that belong to this version onto `new` (entries, findings…); return the
        copies, which the new-version service audits."""
        return []


class FollowUpKind(models.TextChoices):
    CONTROL = "control", _("Library control")
    ACTION = "action", _("Free-text action")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUpQuerySet(models.QuerySet):
    def for_org(self, org: Organisation):
        return self.filter(organisation=org)

    def open(self):
        """Free-text actions not done, and control follow-ups whose assignment is not decided."""
        from assessments.models import AssignmentStatus as S

        decided = models.Q(assignment__status=S.VERIFIED) | models.Q(
            assignment__status=S.NOT_APPLICABLE, assignment__na_approved_at__isnull=False
        )
        return self.filter(
            models.Q(kind=FollowUpKind.ACTION, status=FollowUpStatus.OPEN)
            | (models.Q(kind=FollowUpKind.CONTROL, assignment__retired_at__isnull=True) & ~decided)
        )


class FollowUp(models.Model):
    """Work a record raised. A library control becomes (or points to) a normal control assignment
    of the system; a free-text action is owned here, by a team, with an assignee and a due date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ai_system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="+")
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    kind = models.CharField(_("kind"), max_length=10, choices=FollowUpKind.choices)
    control = models.ForeignKey(Control, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignment = models.ForeignKey(
        "assessments.ControlAssignment", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    title = models.CharField(_("action"), max_length=200, blank=True)
    owner_team = models.ForeignKey(
        Team, verbose_name=_("owner team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FollowUpQuerySet.as_manager()

    AUDITED_FIELDS = [
        "kind",
        "control",
        "assignment",
        "title",
        "owner_team",
        "assignee",
        "due_date",
        "status",
        "closing_note",
        "closed_by",
        "version",
    ]

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="followup_source_idx"),
            models.Index(fields=["organisation", "owner_team", "status"], name="followup_team_idx"),
        ]

    def __str__(self) -> str:
        return self.title or str(self.control)

    @property
    def label(self) -> str:
        control = self.control
        return f"{control.ref} {control.title}" if control is not None else self.title
