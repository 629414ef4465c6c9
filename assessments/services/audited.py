"""The step every write here ends with: save a versioned record, then audit what changed."""

from __future__ import annotations

from typing import Any

from django.db import models

from audit.services import diff, record, snapshot
from core.concurrency import save_versioned


def audited_state(obj: models.Model) -> dict[str, Any]:
    """The record's audited fields now (its model's AUDITED_FIELDS), to compare after the change."""
    return snapshot(obj, obj.AUDITED_FIELDS)


def save_audited(
    obj: models.Model,
    *,
    before: dict[str, Any],
    actor,
    organisation,
    action: str,
    expected_version: int,
    fields: list[str],
    extra: dict[str, Any] | None = None,
) -> None:
    """Write `fields` of `obj` if its row is still at `expected_version` (else EditConflict), and
    record the fields that changed since `before` (plus `extra`) as `action`, in the caller's
    transaction."""
    save_versioned(obj, expected_version=expected_version, fields=fields)
    old, new = diff(before, audited_state(obj))
    record(organisation=organisation, actor=actor, action=action, obj=obj, before=old, after={**new, **(extra or {})})
