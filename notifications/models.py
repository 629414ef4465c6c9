"""Reminders: in-app notifications (one per person, subject and day) and the daily e-mail digest
(at most one per person and day), with each person's choice to receive it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due within 7 days")
    OVERDUE = "overdue", _("Overdue")
    VERIFY = "verify", _("Waiting for verification")
    COSIGN = "cosign", _("Waiting for a co-signature")
    NOT_APPLICABLE = "not_applicable", _("Not-applicable claim waiting")
    ACCEPTANCE_ENDING = "acceptance_ending", _("Risk acceptance ending")
    REVIEW_OVERDUE = "review_overdue", _("Record past its review date")
    EVIDENCE_EXPIRING = "evidence_expiring", _("Evidence expiring")
    ASSESSMENT_REVIEW = "assessment_review", _("Assessment waiting for review")
    RECORD_REVIEW = "record_review", _("Record waiting for review")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something waiting for one person, found by the daily run. `subject` names what it is about
    and why ("verify:assessments.controlassignment:12"): the run writes at most one row per
    person, subject and day, so running it twice adds nothing."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject = models.CharField(max_length=120)
    day = models.DateField()
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "subject", "day"], name="notification_once_a_day")]
        indexes = [models.Index(fields=["user", "organisation", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text


class Digest(models.Model):
    """The day's e-mail to one person: claimed (`sent_at` set) before it is sent, so a second run
    or a redelivered task never sends it again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)  # the run that sends it

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class Preference(models.Model):
    """A person's choice about the e-mail digest (no row: they receive it)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_digest = models.BooleanField(
        _("Send me a daily e-mail digest"),
        default=True,
        help_text=_("One e-mail a day at most, listing what waits for you. The bell shows the same in the app."),
    )

    def __str__(self) -> str:
        return f"{self.user_id}: digest {'on' if self.email_digest else 'off'}"
