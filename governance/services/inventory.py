"""Writes to the AI-system inventory. Systems are retired, never deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from audit.services import audited_state, locked, record, update_audited

from ..models import AISystem


def ai_system_create(*, actor, organisation: Organisation, data: dict) -> AISystem:
    with transaction.atomic():
        system = AISystem.objects.create(organisation=organisation, created_by=actor, **data)
        record(
            organisation=organisation,
            actor=actor,
            action="governance.aisystem.created",
            obj=system,
            after=audited_state(system),
        )
    return system


def ai_system_update(*, actor, system: AISystem, expected_version: int, data: dict) -> AISystem:
    """Save profile changes made from `expected_version`; raises EditConflict if it moved on."""
    with transaction.atomic():
        system = locked(system)
        if system.is_retired:
            raise ValidationError("A retired system cannot be changed.")
        return update_audited(
            system, actor=actor, action="governance.aisystem.updated", expected_version=expected_version, data=data
        )


def ai_system_retire(*, actor, system: AISystem, reason: str) -> AISystem:
    """Take a system out of service. It stays in the inventory, readable, with its history."""
    with transaction.atomic():
        system = locked(system)
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
