"""Ownership routing: which team owns the controls of a domain (and, optionally, a practice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from core.choices import Domain
from core.jobs import LeasedJob, one_active_per
from governance.models import Practice


class OwnershipRule(models.Model):
    """domain × optional practice → team. A rule without a practice is the domain's default;
    a rule with one overrides it for that practice. Without any rule, team disciplines decide
    (see assessments.services.routing)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="ownership_rules")
    domain = models.CharField(_("domain"), max_length=10, choices=Domain.choices)
    practice = models.CharField(
        _("practice"),
        max_length=30,
        choices=Practice.choices,
        blank=True,
        help_text=_("Leave empty for every practice of the domain that has no rule of its own."),
    )
    team = models.ForeignKey(
        Team, verbose_name=_("owner team"), on_delete=models.PROTECT, related_name="ownership_rules"
    )
    cosigning_team = models.ForeignKey(
        Team,
        verbose_name=_("co-signing team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cosigning_rules",
        help_text=_("Controls that are both security and safety need the sign-off of a second team."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    AUDITED_FIELDS = ["domain", "practice", "team", "cosigning_team", "version"]

    class Meta:
        ordering = ["domain", "practice"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "domain", "practice"], name="ownership_rule_unique"),
        ]

    def __str__(self) -> str:
        practice = self.get_practice_display() if self.practice else _("any practice")
        return f"{self.get_domain_display()} · {practice} → {self.team}"


class RerouteJob(LeasedJob):
    """Moving open assignments to the owners the rules now give: a background job the page polls.

    The assignments are chosen when the user confirms (the ones the page showed); the job moves
    each one that is still open and still routed elsewhere, so running it twice is harmless.
    It is claimed under a lease (core/jobs.py); `done` is stored with each chunk's moves, so a
    job whose worker died resumes after the last committed chunk.
    """

    task = "assessments.tasks.reroute_run_task"

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reroute_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assignment_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [one_active_per("organisation", name="reroute_job_one_active")]

    def __str__(self) -> str:
        return f"re-route job {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
