"""Writes to the AI-system inventory. Systems are retired, never deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from audit.services import diff, record, snapshot
from core.concurrency import save_versioned

from ..models import AISystem


def ai_system_create(*, actor, organisation: Organisation, data: dict) -> AISystem:
    with transaction.atomic():
        system = AISystem.objects.create(organisation=organisation, created_by=actor, **data)
        record(
            organisation=organisation,
            actor=actor,
            action="governance.aisystem.created",
            obj=system,
            after=snapshot(system, AISystem.AUDITED_FIELDS),
        )
    return system


def ai_system_update(*, actor, system: AISystem, expected_version: int, data: dict) -> AISystem:
    """Save profile changes made from `expected_version`; raises EditConflict if it moved on."""
    with transaction.atomic():
        # Re-read the row: a bound ModelForm has already copied the new values onto its instance.
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        if system.is_retired:
            raise ValidationError("A retired system cannot be changed.")
        before = snapshot(system, AISystem.AUDITED_FIELDS)
        for name, value in data.items():
            setattr(system, name, value)
        save_versioned(system, expected_version=expected_version, fields=list(data))
        old, new = diff(before, snapshot(system, AISystem.AUDITED_FIELDS))
        record(
            organisation=system.organisation,
            actor=actor,
            action="governance.aisystem.updated",
            obj=system,
            before=old,
            after=new,
        )
    return system


def ai_system_retire(*, actor, system: AISystem, reason: str) -> AISystem:
    """Take a system out of service. It stays in the inventory, readable, with its history."""
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        if system.is_retired:
            raise ValidationError("This system is already retired.")
        system.retired_at = timezone.now()
        system.retired_by = actor
        system.retirement_reason = reason
        system.version += 1
        system.save(update_fields=["retired_at", "retired_by", "retirement_reason", "version", "updated_at"])
        record(
            organisation=system.organisation,
            actor=actor,
            action="governance.aisystem.retired",
            obj=system,
            before={"retired_at": None},
            after={"retired_at": system.retired_at, "retirement_reason": reason, "version": system.version},
        )
    return system
