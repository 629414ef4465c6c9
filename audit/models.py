"""The audit trail: append-only, hash-chained events, one chain per organisation.

Each event stores the hash of the previous event of its organisation (`prev_hash`) and its own
HMAC-SHA256 over its content and `prev_hash`, under a key kept outside the database (`key_id`
names it, see audit/keys.py). Changing, inserting or removing an event breaks the chain, and
without the key nobody can compute a chain that fits again. `ChainHead` remembers the last
sequence number and hash, and signed checkpoints outside the database (audit/checkpoints.py)
remember it too, so removing the newest events is detected. `manage.py verify_audit_log` walks
every chain. Threat model: docs/security/audit-chain.md.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.jobs import LeasedJob, one_active_per

from . import channels, keys

GENESIS_HASH = "0" * 64


class AuditEventQuerySet(models.QuerySet):
    def for_org(self, org: Organisation) -> "AuditEventQuerySet":
        return self.filter(organisation=org)

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audit_events")
    seq = models.PositiveBigIntegerField(_("sequence number"))
    # PROTECT: a user with history is deactivated, never deleted, or the chain would change.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text=_("The actor's username when the event happened."))
    action = models.CharField(max_length=80, help_text=_("What happened, e.g. governance.aisystem.updated."))
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # The key that sealed the event; "" for events written before the chain was keyed.
    key_id = models.CharField(max_length=32, blank=True, default=keys.current_key_id)
    # Through what the change was made (audit.channels); empty on events written before it existed.
    channel = models.CharField(max_length=16, blank=True, default="", choices=channels.CHOICES)
    # The API token that made the change ("<prefix> <name>"); empty for every other change.
    via_token = models.CharField(max_length=150, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        constraints = [models.UniqueConstraint(fields=["organisation", "seq"], name="audit_event_unique_seq")]
        indexes = [
            models.Index(fields=["organisation", "object_type", "object_id", "seq"], name="audit_event_object_idx"),
            models.Index(fields=["organisation", "action", "seq"], name="audit_event_action_idx"),
            # The trail's filters. "Action starts with" is a LIKE 'prefix%': on PostgreSQL only a
            # pattern operator class serves it whatever the collation (other databases ignore it).
            models.Index(
                fields=["organisation", "action"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="audit_event_action_prefix_idx",
            ),
            models.Index(fields=["organisation", "created_at"], name="audit_event_created_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # Append-only: an event is written once by audit.services.record and never updated.
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def payload(self) -> dict:
        """The content covered by the hash, in a stable, JSON-safe form."""
        data = {
            "organisation": self.organisation_id,
            "seq": self.seq,
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "prev_hash": self.prev_hash,
        }
        if self.key_id != keys.LEGACY:
            data["key_id"] = self.key_id
        if self.channel:
            data["channel"] = self.channel
        if self.via_token:
            data["via_token"] = self.via_token
        return data

    def compute_hash(self) -> str:
        """The event's seal: HMAC-SHA256 under the key `key_id` (plain SHA-256 for legacy events).
        The one place the hash is computed; keys.UnknownKey if the key is not configured."""
        canonical = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if self.key_id == keys.LEGACY:
            return hashlib.sha256(canonical.encode()).hexdigest()
        return keys.mac(self.key_id, canonical)

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field the event touched, as stored."""
        names = list(dict.fromkeys([*self.before, *self.after]))
        return [(name, self.before.get(name), self.after.get(name)) for name in names if name != "version"]

    @property
    def display_changes(self) -> list[tuple[str, object, object]]:
        """The changes with labels and names, once audit.presenters.label_changes has run."""
        return self.__dict__.get("display_changes") or self.changes()

    @display_changes.setter
    def display_changes(self, value) -> None:
        self.__dict__["display_changes"] = value


class ChainHead(models.Model):
    """The newest event of an organisation's chain; locked while an event is appended."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, primary_key=True, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"chain of {self.organisation_id} at #{self.seq}"


class Verification(LeasedJob):
    """One run of the chain check, started by beat (daily) or by a user; polled by the page.

    Claimed under a lease (core/jobs.py): a check whose worker died is taken over and starts over.
    """

    task = "audit.tasks.audit_verify_task"

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Running")
        PASSED = "passed", _("Chain intact")
        FAILED = "failed", _("Chain broken")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_verifications")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    events_checked = models.PositiveBigIntegerField(default=0)
    events_total = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [one_active_per("organisation", name="audit_verification_one_active")]

    def __str__(self) -> str:
        return f"chain check {self.pk} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.PASSED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_done:
            return 100
        return int(100 * self.events_checked / self.events_total) if self.events_total else 0
