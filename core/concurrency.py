"""Optimistic locking: a row carries `version`; a save succeeds only from the version it read.

Two people editing the same record both start from version N. The first save moves the row to
N+1; the second save matches no row and raises `EditConflict`, so nothing is silently
overwritten. Views show the conflict with what changed meanwhile.
"""

from django.db import models
from django.db.models import F
from django.utils import timezone


class EditConflict(Exception):
    """The record changed since the user loaded it."""

    def __init__(self, instance: models.Model, expected_version: int):
        self.instance = instance
        self.expected_version = expected_version
        super().__init__(f"{instance._meta.label} {instance.pk} changed since version {expected_version}")


def save_versioned(instance: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Write `fields` of `instance` only if its row is still at `expected_version`.

    On success `instance.version` is the new version. On conflict raises `EditConflict` with
    the row as it is now in the database.
    """
    model = type(instance)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        # QuerySet.update() skips auto_now, so stamp the change time ourselves.
        instance.updated_at = timezone.now()
        fields = [*fields, "updated_at"]
    values = {name: getattr(instance, name) for name in fields}
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise EditConflict(model._default_manager.get(pk=instance.pk), expected_version)
    instance.version = expected_version + 1
