"""Writes to the AI-system inventory. Systems are retired, never deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from audit.services import audited_create, audited_retire, audited_update

from ..models import AISystem


def _active(system: AISystem) -> None:
    if system.is_retired:
        raise ValidationError(_("A retired system cannot be changed."))


def ai_system_create(*, actor, organisation: Organisation, data: dict) -> AISystem:
    with transaction.atomic():
        return audited_create(
            AISystem,
            actor=actor,
            action="governance.aisystem.created",
            data={"organisation": organisation, "created_by": actor, **data},
        )


def ai_system_update(*, actor, system: AISystem, expected_version: int, data: dict) -> AISystem:
    """Save profile changes made from `expected_version`; raises EditConflict if it moved on."""
    with transaction.atomic():
        return audited_update(
            system,
            actor=actor,
            action="governance.aisystem.updated",
            expected_version=expected_version,
            changes=data,
            check=_active,
        )


def ai_system_retire(*, actor, system: AISystem, expected_version: int, reason: str) -> AISystem:
    """Take a system out of service. It stays in the inventory, readable, with its history."""
    with transaction.atomic():
        return audited_retire(
            system,
            actor=actor,
            action="governance.aisystem.retired",
            expected_version=expected_version,
            reason=reason,
            changes={"retired_by": actor},
        )
