"""Audit packs: a PDF report, an XLSX workbook and CSV files of an organisation's (or one AI
system's) governance records, zipped with a manifest, built by a background job the page polls."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.jobs import LeasedJob, one_active_per
from governance.models import AISystem


def pack_path(instance: AuditPack, filename: str) -> str:
    """A random name (the job's token), never the organisation's or system's name. Fixed per job,
    so an attempt that takes over from a killed worker overwrites the first attempt's file."""
    return f"packs/{instance.organisation_id}/{instance.token.hex}.zip"


class AuditPack(LeasedJob):
    """One requested audit pack: the job row the page polls, then the stored zip.

    Claimed under a lease (core/jobs.py): a build whose worker died is taken over and starts
    again (a pack is built in one go; only finishing it is recorded). At most one queued or
    building pack per organisation (database constraint)."""

    task = "reports.tasks.audit_pack_build_task"

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Stage(models.IntegerChoices):
        QUEUED = 0, _("Waiting for a worker")
        READING = 1, _("Reading the records")
        PDF = 2, _("Writing the PDF report")
        WORKBOOK = 3, _("Writing the workbook")
        CSV = 4, _("Writing the CSV files")
        PACKING = 5, _("Packing and storing")
        DONE = 6, _("Ready")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_packs")
    ai_system = models.ForeignKey(
        AISystem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("AI system"),
        help_text=_("Empty: the whole organisation."),
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.QUEUED)
    message = models.TextField(blank=True)
    file = models.FileField(upload_to=pack_path, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(_("audit trail head"), max_length=64, blank=True)
    chain_intact = models.BooleanField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [one_active_per("organisation", name="audit_pack_one_active")]

    def __str__(self) -> str:
        return f"audit pack {self.pk} ({self.status})"

    @property
    def scope_label(self) -> str:
        return self.ai_system.name if self.ai_system_id and self.ai_system else str(_("Whole organisation"))

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.is_finished else round(100 * self.stage / self.Stage.DONE)

    def download_name(self) -> str:
        scope = "organisation" if self.ai_system_id is None else f"system-{self.ai_system_id}"
        return f"audit-pack-{self.organisation.slug}-{scope}-{self.pk}.zip"
