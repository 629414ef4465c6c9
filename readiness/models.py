"""Daily readiness snapshots: the trend charts read these rows and nothing else."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from governance.models import AISystem


class Scope(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    SYSTEM = "system", _("AI system")
    TEAM = "team", _("Team")


class SnapshotQuerySet(models.QuerySet):
    def for_org(self, org: Organisation):
        return self.filter(organisation=org)


class ReadinessSnapshot(models.Model):
    """One day's readiness of one subject (the organisation, a system or a team) in one domain.

    Written by `snapshots.take` as an upsert on (organisation, day, subject, domain): taking the
    same day twice rewrites the same rows. `subject` ("organisation", "system:12", "team:3") is
    the key because a unique constraint over nullable foreign keys would let duplicates through
    (NULLs are distinct); the foreign keys are there to join and filter.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    subject = models.CharField(max_length=40)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    domain = models.CharField(_("domain"), max_length=10)
    verified = models.PositiveIntegerField(default=0)
    applicable = models.PositiveIntegerField(default=0)
    awaiting_verification = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    open_high_findings = models.PositiveIntegerField(default=0)
    risks_above_appetite = models.PositiveIntegerField(default=0)
    # Organisation rows: systems audit-ready out of those in service; system rows: 1 or 0 of 1.
    systems_ready = models.PositiveIntegerField(default=0)
    systems_total = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(default=timezone.now)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day", "subject", "domain"], name="snapshot_one_per_day"),
        ]
        indexes = [models.Index(fields=["organisation", "scope", "day"], name="snapshot_scope_day_idx")]

    def __str__(self) -> str:
        return f"{self.subject} {self.domain} {self.day}: {self.verified}/{self.applicable}"

    @property
    def percent(self) -> int | None:
        return round(100 * self.verified / self.applicable) if self.applicable else None
