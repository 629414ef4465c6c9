"""Optimistic locking: a row carries `version`; a save succeeds only from the version it read.

Two people editing the same record both start from version N. The first save moves the row to
N+1; the second save matches no row and raises `EditConflict`, so nothing is silently
overwritten. Views show the conflict with what changed meanwhile. The check itself is made on the
locked row by the one write path, `audit.services.audited_update`.
"""

from django.db import models


class EditConflict(Exception):
    """The record changed since the user loaded it."""

    def __init__(self, instance: models.Model, expected_version: int):
        self.instance = instance
        self.expected_version = expected_version
        super().__init__(f"{instance._meta.label} {instance.pk} changed since version {expected_version}")
