"""Webhook endpoints an organisation's admins register, and the deliveries made to them.

An endpoint is a governed record (`version`, `AUDITED_FIELDS`, written only through
`audit.services`). Its signing secret is NOT audited and never shown again after creation or
rotation; it is stored readable because every delivery is signed with it (HMAC needs the key
itself, a hash of it would not do). See docs/webhooks.md.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class EndpointQuerySet(models.QuerySet):
    def for_org(self, org: Organisation) -> EndpointQuerySet:
        return self.filter(organisation=org)

    def current(self) -> EndpointQuerySet:
        return self.filter(retired_at__isnull=True)


class Endpoint(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    # Stored readable on purpose: deliveries are signed with it. Never audited, never shown again.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    AUDITED_FIELDS = [
        "url",
        "description",
        "event_types",
        "is_active",
        "disabled_reason",
        "secret_rotated_at",
        "version",
    ]

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url", "pk"]
        indexes = [models.Index(fields=["organisation", "is_active"], name="webhook_endpoint_org_idx")]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one endpoint. `key` says what the event is about, so the same happening
    (an audit event, an assignment overdue on a due date) makes one delivery per endpoint."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=60)
    key = models.CharField(max_length=120)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "key"], name="webhook_delivery_one_per_key"),
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_unique_event"),
        ]
        indexes = [
            models.Index(fields=["endpoint", "created_at"], name="webhook_delivery_endpoint_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique_number")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
